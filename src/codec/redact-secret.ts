/** What a secret is replaced with in text meant for people. */
export const REDACTED = '[redacted]';

/**
 * Replaces every occurrence of `secret` in `text` with `[redacted]`, for a server that echoes
 * the access token into an error body, an error event or a bad frame.
 *
 * @param text - Text from the server.
 * @param secret - The access token (never empty).
 */
export function redactSecret(text: string, secret: string): string {
  return text.includes(secret) ? text.split(secret).join(REDACTED) : text;
}
