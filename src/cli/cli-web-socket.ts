import WebSocket from 'ws';

/**
 * Whether a URL's host is this machine's loopback (`localhost`, `127.x.x.x`, `[::1]`), where
 * nothing sits between the two ends of a connection.
 *
 * @param url - A `ws:` or `wss:` URL.
 */
export function isLoopbackUrl(url: string): boolean {
  const { hostname } = new URL(url);
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * The CLI's WebSocket: the `ws` package's, with an all-zero masking key when the sandbox is on
 * loopback (the embedded one, or `serve` on this machine). RFC 6455 (section 10.3) has clients
 * mask what they send with a fresh random key so that a hostile script cannot make a proxy on
 * the way misread its bytes; on loopback there is no proxy on the way, and a zero key lets `ws`
 * skip masking, which it does in JavaScript on Node 20: about half the CPU of piping stdin into
 * an embedded sandbox (the other half of that saving is the sandbox's unmasking). Anywhere else
 * the key stays random.
 */
export class CliWebSocket extends WebSocket {
  /**
   * @param url - The `/exec/connect` URL.
   * @param protocols - The subprotocols to offer.
   */
  constructor(url: string, protocols: string[]) {
    super(url, protocols, isLoopbackUrl(url) ? { generateMask: (mask) => void mask.fill(0) } : {});
  }
}
