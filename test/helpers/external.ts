import { spawnSync } from 'node:child_process';

/**
 * Something a test needs that `npm ci` does not install (a browser), and how to find it.
 * On a machine without it the tests that need it are skipped with one visible line saying why
 * and how to get it; where `requiredBy` is set to `1` (`.ci/run` sets it), its absence fails.
 */
export interface ExternalRequirement {
  /** What it is, for the messages: `Chromium`. */
  readonly what: string;
  /** The environment variable that makes it required (`SUPERSERVE_RX_REQUIRE_BROWSER`). */
  readonly requiredBy: string;
  /** Where to look, in order; the first one that {@link probe} accepts is used. */
  readonly candidates: ReadonlyArray<string>;
  /** How a person gets it: `apt-get install chromium, or CHROMIUM_PATH=/path/to/chromium`. */
  readonly howTo: string;
  /** Whether the candidate can be used; defaults to {@link launchable}. */
  readonly probe?: (candidate: string) => boolean;
}

/** What {@link findExternal} decided. */
export type ExternalOutcome =
  | { readonly found: true; readonly path: string }
  | { readonly found: false; readonly required: boolean; readonly reason: string };

/** Whether `path` starts and exits 0 with `args` (by default `--version`) within 20 s. */
export function launchable(path: string, args: ReadonlyArray<string> = ['--version']): boolean {
  const result = spawnSync(path, args, { stdio: 'ignore', timeout: 20_000 });
  return result.error === undefined && result.status === 0;
}

/** Looks for the requirement among its candidates; reads `env` for whether it is required. */
export function findExternal(
  requirement: ExternalRequirement,
  env: NodeJS.ProcessEnv = process.env,
): ExternalOutcome {
  const probe = requirement.probe ?? ((candidate: string) => launchable(candidate));
  const path = requirement.candidates.find((candidate) => probe(candidate));
  if (path !== undefined) return { found: true, path };
  return {
    found: false,
    required: env[requirement.requiredBy] === '1',
    reason:
      `no launchable ${requirement.what} (tried ${requirement.candidates.join(', ')}); ` +
      `to run these tests: ${requirement.howTo}`,
  };
}

/**
 * `describe` for tests that need an external requirement: runs them when it is found (passing
 * its path to `body`), fails one test naming what is missing when it is required, and
 * otherwise skips them with one line on stderr (never silently).
 */
export function describeWithExternal(
  requirement: ExternalRequirement,
  name: string,
  body: (path: string) => void,
  outcome: ExternalOutcome = findExternal(requirement),
): void {
  if (outcome.found) {
    describe(name, () => body(outcome.path));
    return;
  }
  if (outcome.required) {
    describe(name, () => {
      it(`needs ${requirement.what} (${requirement.requiredBy}=1)`, () => {
        throw new Error(`${requirement.requiredBy}=1 but ${outcome.reason}`);
      });
    });
    return;
  }
  process.stderr.write(`\n  SKIPPED "${name}": ${outcome.reason}\n\n`);
  describe.skip(name, () => body(''));
}

/** Debian's Chromium, for the browser tests: `CHROMIUM_PATH` first, then the usual paths. */
export function chromiumRequirement(env: NodeJS.ProcessEnv = process.env): ExternalRequirement {
  const usual = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return {
    what: 'Chromium',
    requiredBy: 'SUPERSERVE_RX_REQUIRE_BROWSER',
    candidates: env.CHROMIUM_PATH ? [env.CHROMIUM_PATH, ...usual] : usual,
    howTo: 'apt-get install chromium, or CHROMIUM_PATH=/path/to/chromium npm test',
  };
}

/** Info-ZIP's unzip, for listing the vendor SDK's zips: `UNZIP_PATH` first, then the usual paths. */
export function unzipRequirement(env: NodeJS.ProcessEnv = process.env): ExternalRequirement {
  const usual = ['/usr/bin/unzip', '/bin/unzip', '/usr/local/bin/unzip'];
  return {
    what: 'unzip',
    requiredBy: 'SUPERSERVE_RX_REQUIRE_UNZIP',
    candidates: env.UNZIP_PATH === undefined || env.UNZIP_PATH === '' ? usual : [env.UNZIP_PATH, ...usual],
    howTo: 'apt-get install unzip, or UNZIP_PATH=/path/to/unzip',
    probe: (candidate) => launchable(candidate, ['-v']),
  };
}
