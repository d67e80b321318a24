import { TOKEN_SUBPROTOCOL_PREFIX } from '../session/session-protocol.js';

/**
 * The token a WebSocket client offers as `token.<value>` among its subprotocols, if any.
 *
 * @param header - The request's `Sec-WebSocket-Protocol` header.
 */
export function offeredToken(header: string | undefined): string | undefined {
  for (const protocol of (header ?? '').split(',')) {
    const name = protocol.trim();
    if (name.startsWith(TOKEN_SUBPROTOCOL_PREFIX)) return name.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
  }
  return undefined;
}
