/**
 * Whether a response's body can be read as a stream. Some fetch polyfills (React Native's,
 * whatwg-fetch) buffer the body and expose no `getReader`.
 *
 * @param response - A response whose body is not `null`.
 */
export function hasBodyStream(
  response: Response,
): response is Response & { body: ReadableStream<Uint8Array> } {
  return typeof (response.body as ReadableStream<Uint8Array> | null | undefined)?.getReader === 'function';
}
