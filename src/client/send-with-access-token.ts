import type { Subscriber } from 'rxjs';
import type { ExecHttpError } from '../errors/exec-http-error.js';
import type { AccessTokenAttempt } from '../tokens/access-token-attempt.js';

/**
 * Sends one HTTP request with the attempt's token and, when the service rejects that token
 * with 401 (which comes before any value), once more with the provider's replacement, the way
 * every HTTP call of this package does (`exec$`, `execEither$`, the file functions).
 *
 * Resending is safe when the service refused before doing anything and the request can be made
 * again; a `send` whose request cannot be made again (a write whose bytes came from a stream)
 * handles its own 401 and resolves `undefined`.
 *
 * @param subscriber - Where a rejection or a provider's failure (`ExecRequestError`) goes.
 * @param attempt - The subscription's token attempt.
 * @param send - Sends the request with one token: resolves with the 401's error for this
 *   function to report or retry, or `undefined` when the outcome was handled.
 */
export async function sendWithAccessToken(
  subscriber: Subscriber<unknown>,
  attempt: AccessTokenAttempt,
  send: (token: string) => Promise<ExecHttpError | undefined>,
): Promise<void> {
  const first = attempt.token();
  // A string token is sent in this very turn, as it always was: a request that starts later
  // would change what an early unsubscription or a concurrency limit sees.
  let token = typeof first === 'string' ? first : await fromProvider(subscriber, first);
  while (token !== undefined && !subscriber.closed) {
    const rejection = await send(token);
    if (rejection === undefined || subscriber.closed) return;
    const rejected = token;
    token = await fromProvider(subscriber, attempt.refresh(rejected));
    if (token === undefined && !subscriber.closed) subscriber.error(rejection);
  }
}

/** The token, or `undefined` once the provider's failure (an ExecRequestError) has been reported. */
async function fromProvider(
  subscriber: Subscriber<unknown>,
  token: Promise<string | undefined>,
): Promise<string | undefined> {
  try {
    return await token;
  } catch (error) {
    if (!subscriber.closed) subscriber.error(error);
    return undefined;
  }
}
