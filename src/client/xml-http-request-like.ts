/** A handler property's type, checked bivariantly, so that the DOM's richer event types fit. */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/**
 * What `writeFile$` needs of an `XMLHttpRequest`: the standard browser API. Browsers' `fetch`
 * cannot stream a request body over HTTP/1.1, so upload progress there comes from
 * `upload.onprogress`.
 */
export interface XmlHttpRequestLike {
  /** Starts the request (asynchronous). */
  open(method: string, url: string): void;
  /** Sets one request header. */
  setRequestHeader(name: string, value: string): void;
  /** Sends the body. */
  send(body: Blob | Uint8Array | string): void;
  /** Cancels the request. */
  abort(): void;
  /** One response header, or `null`. */
  getResponseHeader(name: string): string | null;
  /** The status once loaded (0 for a network error or a blocked redirect). */
  readonly status: number;
  /** The response body as text. */
  readonly responseText: string;
  /** Progress of the request body going out. */
  readonly upload: {
    /** Called as the body goes out, with the bytes sent so far. */
    onprogress: Handler<{ readonly loaded: number }> | null;
  };
  /** Called once the response has arrived whole. */
  onload: Handler<unknown> | null;
  /** Called when the request failed on the network. */
  onerror: Handler<unknown> | null;
}

/** An `XMLHttpRequest` constructor: the browser's, or a test double. */
export type XmlHttpRequestConstructor = new () => XmlHttpRequestLike;
