import {
  type AccessTokenContext,
  type AccessTokenProvider,
  isUsableAccessToken,
} from './access-token-attempt.js';

/**
 * Makes an {@link AccessTokenProvider} that fetches a token only when it has none or the one it
 * has was rejected, and shares one fetch between every caller that asks meanwhile. A token is
 * kept until a caller reports it rejected (`{ rejected }` naming it); a report of an older
 * token gets the current one, with no fetch. A fetch that fails is not kept: the next call
 * fetches again (and callers that were waiting on it get its error). An answer that is not a
 * usable token is not kept either.
 *
 * Use it in a browser to ask the app's backend for tokens (which holds the API key), or
 * anywhere a token comes from a slow source; `activateTokenProvider` in
 * `superserve-rx/server` is this around the control plane's activate call.
 *
 * @param fetchToken - Gets a fresh token; it receives the caller's context (`rejected`, when
 *   that is why it is called), so that it can pass the rejected token on.
 * @example
 * ```ts
 * const accessToken = cachedTokenProvider(async ({ rejected }) => {
 *   const response = await fetch('/api/sandbox-token', {
 *     method: 'POST',
 *     headers: { 'Content-Type': 'application/json' },
 *     body: JSON.stringify({ rejected }),
 *   });
 *   if (!response.ok) throw new Error(`the token endpoint answered ${response.status}`);
 *   return ((await response.json()) as { token: string }).token;
 * });
 * const sandbox = createExecClient({ baseUrl, accessToken });
 * ```
 */
export function cachedTokenProvider(
  fetchToken: (context: AccessTokenContext) => string | Promise<string>,
): AccessTokenProvider {
  if (typeof fetchToken !== 'function') {
    throw new TypeError('cachedTokenProvider: expected a function that fetches a token');
  }
  let current: { readonly token: Promise<string>; value?: string } | undefined;
  const fetchFresh = (context: AccessTokenContext): Promise<string> => {
    // Through an executor, so that a fetchToken that throws at once fails the promise, not the caller.
    const entry: { readonly token: Promise<string>; value?: string } = {
      token: new Promise<string>((resolve) => resolve(fetchToken(context))),
    };
    current = entry;
    entry.token.then(
      (value) => {
        if (isUsableAccessToken(value)) entry.value = value;
        else if (current === entry) current = undefined;
      },
      () => {
        if (current === entry) current = undefined;
      },
    );
    return entry.token;
  };
  return (context) => {
    const rejected = context.rejected;
    // Fetching already, or holding a token that is not the rejected one: that is the answer.
    if (current !== undefined && (rejected === undefined || current.value !== rejected)) {
      return current.token;
    }
    return fetchFresh(rejected === undefined ? {} : { rejected });
  };
}
