/**
 * One reason a value failed validation: where it is and what was wrong with it.
 *
 * @example
 * ```ts
 * const issue: ExecIssue = { path: 'timeout_s', message: 'expected a positive integer, got -1' };
 * ```
 */
export interface ExecIssue {
  /** Dotted path of the offending value (`env.HOME`, `args.0`); empty for the value itself. */
  readonly path: string;
  /** What was expected and what was found, for a person to read. */
  readonly message: string;
}

/**
 * Formats issues as one line: `timeout_s: expected a positive integer, got -1; command: ...`.
 *
 * @param issues - The issues to format.
 */
export function formatIssues(issues: ReadonlyArray<ExecIssue>): string {
  return issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ');
}
