import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLeft } from '../codec/either.js';
import { decodeExecRequest, type ExecRequest } from '../codec/exec-request.js';
import { formatIssues } from '../errors/exec-issue.js';
import { replyText } from './reply-text.js';
import type { SandboxContext } from './sandbox-context.js';

/**
 * The part the POST endpoints (`/exec/stream` and `/exec`) share, in the service's order: the
 * method (405), the token (401), the concurrency limit (429), the body (413 over the cap, 400
 * for bad JSON, a missing command or the request codec's issues). It answers every refusal
 * itself and resolves to the request only when the run may start.
 *
 * @param request - The incoming request.
 * @param response - Its response, answered here on refusal.
 * @param context - The sandbox's settings, token and runs.
 */
export async function acceptExecPost(
  request: IncomingMessage,
  response: ServerResponse,
  context: SandboxContext,
): Promise<ExecRequest | undefined> {
  if (request.method === 'OPTIONS' && context.cors.enabled) {
    context.cors.preflight(request, response);
    return undefined;
  }
  if (request.method !== 'POST') return refuse(response, 405, 'method not allowed', { Allow: 'POST' });
  const token = request.headers['x-access-token'];
  const access = context.authorize(typeof token === 'string' ? token : undefined);
  if (access === 'missing') return refuse(response, 401, 'missing X-Access-Token header');
  if (access === 'invalid') return refuse(response, 401, 'invalid access token');
  if (context.runs.full()) return refuse(response, 429, 'too many connections to sandbox');
  const release = context.runs.hold();
  // The server has no whole-request deadline (it would cut off /files uploads): a body that
  // dribbles gets 408, as Node's own deadline answered, and the connection is dropped.
  const deadline = setTimeout(() => {
    response.once('finish', () => request.destroy());
    replyText(response, 408, 'request timeout', { Connection: 'close' });
  }, context.requestTimeoutMs);
  let body: Buffer | undefined;
  try {
    body = await readBody(request, context.maxBodyBytes);
  } catch {
    // The client went away, or was cut off by the deadline, in the middle of its body: there
    // is no one left to answer.
    return undefined;
  } finally {
    clearTimeout(deadline);
    release();
  }
  if (response.headersSent) return undefined;
  if (body === undefined) return refuse(response, 413, 'request body too large', { Connection: 'close' });
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return refuse(response, 400, 'invalid JSON body');
  }
  // The service reads `timeout_s: 0` as "the default".
  const decoded = decodeExecRequest(withoutZeroTimeout(json), { rejectUnknownFields: false });
  if (isLeft(decoded)) {
    const commandMissing = decoded.left.some((issue) => issue.path === 'command') && !hasCommand(json);
    return refuse(response, 400, commandMissing ? 'command is required' : formatIssues(decoded.left));
  }
  if (context.runs.closing || response.destroyed) {
    return refuse(response, 503, 'sandbox is shutting down');
  }
  return decoded.right;
}

/** The JSON with a `timeout_s` of 0 left out (both mean "the default"); anything else as is. */
export function withoutZeroTimeout(json: unknown): unknown {
  if (typeof json !== 'object' || json === null || (json as { timeout_s?: unknown }).timeout_s !== 0) {
    return json;
  }
  const { timeout_s: _zero, ...rest } = json as Record<string, unknown>;
  return rest;
}

/** Whether the JSON names a non-empty command (to tell "command is required" from a bad one). */
export function hasCommand(json: unknown): boolean {
  const command =
    typeof json === 'object' && json !== null ? (json as { command?: unknown }).command : undefined;
  return command !== undefined && command !== '';
}

function refuse(
  response: ServerResponse,
  status: number,
  text: string,
  headers?: Record<string, string>,
): undefined {
  replyText(response, status, text, headers);
  return undefined;
}

/** Reads the body, or `undefined` once it is over `max` bytes (and stops reading it). */
async function readBody(request: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > max) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
