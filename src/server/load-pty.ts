/** The part of a pseudo-terminal the local sandbox uses: `@lydell/node-pty`'s `IPty`, structurally. */
export interface Pty {
  readonly pid: number;
  onData(listener: (data: Buffer) => void): { dispose(): void };
  onExit(listener: (event: { exitCode: number; signal?: number }) => void): { dispose(): void };
  /** Writes to the terminal's input (node-pty types it as a string; it takes bytes as they are). */
  write(data: string | Buffer): void;
  resize(cols: number, rows: number): void;
  kill(signal?: string): void;
  pause(): void;
  resume(): void;
}

/** The part of `@lydell/node-pty` the local sandbox uses. */
export interface PtyModule {
  spawn(
    file: string,
    args: string[],
    options: {
      name: string;
      cols: number;
      rows: number;
      cwd: string;
      env: Record<string, string>;
      /** `null`: output as Buffers, byte-exact, never decoded. */
      encoding: null;
    },
  ): Pty;
}

/** The package the pseudo-terminal comes from: prebuilt binaries for Linux, macOS and Windows. */
export const PTY_PACKAGE = '@lydell/node-pty';

let loaded: Promise<PtyModule> | undefined;

/**
 * Loads the pseudo-terminal library on first use only, so that everything but `/terminal`
 * works where it cannot load (an optional dependency that did not install, a platform without
 * a prebuilt binary). Rejects with why it cannot load; a failure is not cached, a success is.
 *
 * @param name - The package to load (a test passes one that does not exist).
 */
export function loadPty(name: string = PTY_PACKAGE): Promise<PtyModule> {
  if (name === PTY_PACKAGE && loaded !== undefined) return loaded;
  const attempt = importPty(name);
  if (name === PTY_PACKAGE) {
    loaded = attempt;
    attempt.catch(() => {
      loaded = undefined;
    });
  }
  return attempt;
}

async function importPty(name: string): Promise<PtyModule> {
  // CommonJS (the cjs build, Jest) has `require`; the esm build has only `import()`.
  const module: unknown =
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, and only here
    typeof require === 'function' ? require(name) : ((await import(name)) as unknown);
  const pty = module as Partial<PtyModule> & { default?: Partial<PtyModule> };
  const spawn = pty.spawn ?? pty.default?.spawn;
  if (typeof spawn !== 'function') throw new Error(`${name} has no spawn()`);
  return { spawn: spawn.bind(pty.spawn === undefined ? pty.default : pty) as PtyModule['spawn'] };
}
