import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxContext } from './sandbox-context.js';

/** The paths the activate endpoint answers: `/sandboxes/{id}/activate`, any id. */
export const ACTIVATE_PATH = /^\/sandboxes\/([^/]+)\/activate$/;

/**
 * `POST /sandboxes/{id}/activate`, the control plane's call that the local sandbox answers when
 * it has an API key: with header `X-API-Key` and no body, 200 and the sandbox as JSON, whose
 * `access_token` is a token valid now (with `tokenTtlMs`, the current window's). Errors are the
 * control plane's JSON envelope `{"error":{"code","message"}}`: 405 for another method (no
 * preflight is ever answered: an API key belongs on a server, never in a browser), 401
 * `unauthorized` for a missing or wrong key (compared in constant time), 404 `not_found` for
 * another sandbox id. The body, if any, is ignored.
 *
 * @param request - The incoming request, its path matching {@link ACTIVATE_PATH}.
 * @param response - Its response.
 * @param context - The sandbox's id, tokens and API key check.
 */
export function activateEndpoint(
  request: IncomingMessage,
  response: ServerResponse,
  context: SandboxContext,
): void {
  // Nothing of a body is needed: let it drain.
  request.resume();
  if (request.method !== 'POST') {
    return replyError(response, 405, 'method_not_allowed', 'method not allowed', { Allow: 'POST' });
  }
  const key = request.headers['x-api-key'];
  const access = context.authorizeApiKey(typeof key === 'string' ? key : undefined);
  if (access === 'missing') return replyError(response, 401, 'unauthorized', 'missing X-API-Key header');
  if (access !== 'ok') return replyError(response, 401, 'unauthorized', 'invalid API key');
  const id = decodeSegment(ACTIVATE_PATH.exec(pathOf(request))?.[1] ?? '');
  if (id !== context.sandboxId) return replyError(response, 404, 'not_found', 'sandbox not found');
  replyJson(response, 200, {
    id: context.sandboxId,
    name: 'local-sandbox',
    status: 'active',
    access_token: context.currentToken(),
  });
}

function pathOf(request: IncomingMessage): string {
  return (request.url ?? '/').split('?', 1)[0]!;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function replyError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  replyJson(response, status, { error: { code, message } }, headers);
}

function replyJson(
  response: ServerResponse,
  status: number,
  value: object,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  const body = JSON.stringify(value);
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    // A fresh token is a secret: no cache may keep it.
    'Cache-Control': 'no-store',
    ...headers,
  });
  response.end(body);
}
