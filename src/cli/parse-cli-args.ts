import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A bad flag, a missing argument: reported on one line, exit code 2. */
export class UsageError extends Error {}

/**
 * Parses a command's arguments, turning Node's error into a {@link UsageError} that names the
 * command.
 *
 * @param name - The command (`exec`, `cp`...).
 * @param config - `parseArgs`' configuration.
 */
export function parseCliArgs<T extends ParseArgsConfig>(
  name: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    // Node's message goes on about positionals after '--'; the first sentence is what matters.
    const message = (error instanceof Error ? error.message : String(error)).split('. ')[0];
    throw new UsageError(`${name}: ${message}. Run 'superserve-rx ${name} --help'.`);
  }
}
