import type * as t from 'io-ts';
import type { ExecIssue } from '../errors/exec-issue.js';

const MAX_SHOWN_VALUE = 60;

/**
 * The one reporter of this package: turns io-ts validation errors into {@link ExecIssue}s whose
 * paths use the wire's field names (`env.HOME`, `args.1`, `exit_code`).
 *
 * @param errors - What `codec.decode` returned on the left.
 */
export function reportIssues(errors: t.Errors): ReadonlyArray<ExecIssue> {
  return errors.map((error) => ({
    path: pathOf(error.context),
    message: error.message ?? `expected ${leafName(error.context)}, got ${show(error.value)}`,
  }));
}

function pathOf(context: t.Context): string {
  const keys: string[] = [];
  for (let i = 1; i < context.length; i++) {
    // An intersection adds an entry keyed by the member's index: not a wire path.
    if (innermostTag(context[i - 1]?.type) === 'IntersectionType') continue;
    keys.push(context[i]?.key ?? '');
  }
  return keys.join('.');
}

/** The `_tag` of a codec, looking through `t.exact`, which adds no entry. */
function innermostTag(codec: t.Decoder<unknown, unknown> | undefined): string | undefined {
  let current = codec as { _tag?: string; type?: unknown } | undefined;
  while (current?._tag === 'ExactType') {
    current = current.type as { _tag?: string; type?: unknown } | undefined;
  }
  return current?._tag;
}

function leafName(context: t.Context): string {
  return context[context.length - 1]?.type.name ?? 'a valid value';
}

/**
 * A short, safe rendering of an offending value for an issue message.
 *
 * @param value - The value found.
 */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > MAX_SHOWN_VALUE ? `${text.slice(0, MAX_SHOWN_VALUE)}…` : text;
}
