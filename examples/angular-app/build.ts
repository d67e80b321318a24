// Builds examples/angular-app as an app would be built: the Angular CLI's application builder
// (@angular/build:application: AOT, esbuild, optimisation, strict templates), run through
// Architect as `ng build` runs it, against superserve-rx built and installed as a package (its
// `exports`, never src/).
//   npx tsx examples/angular-app/build.ts      prints where the built app is
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Architect } from '@angular-devkit/architect';
import { WorkspaceNodeModulesArchitectHost } from '@angular-devkit/architect/node';
import { logging, schema, workspaces } from '@angular-devkit/core';
import { NodeJsSyncHost } from '@angular-devkit/core/node';

const root = resolve(__dirname, '../..');

/** Where {@link buildAngularApp} works: inside the repository, so that @angular/* resolve from its node_modules. */
export const ANGULAR_APP_STAGE = join(root, 'test-output/angular-app');

/** A built app: its static files, and what the builder logged. */
export interface BuiltAngularApp {
  readonly browserDir: string;
  readonly log: string;
}

/**
 * Copies the app into {@link ANGULAR_APP_STAGE}, installs superserve-rx there as a package
 * (`node_modules/superserve-rx`: its package.json and a fresh build), and runs the production
 * build. Rejects with the builder's log when the build fails.
 */
export async function buildAngularApp(stage = ANGULAR_APP_STAGE): Promise<BuiltAngularApp> {
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  for (const entry of ['angular.json', 'tsconfig.json', 'src']) {
    cpSync(join(__dirname, entry), join(stage, entry), { recursive: true });
  }
  const installed = join(stage, 'node_modules/superserve-rx');
  mkdirSync(installed, { recursive: true });
  cpSync(join(root, 'package.json'), join(installed, 'package.json'));
  execFileSync(process.execPath, ['scripts/build.mjs', '--out', join(installed, 'dist')], {
    cwd: root,
    stdio: 'ignore',
  });

  const registry = new schema.CoreSchemaRegistry();
  registry.addPostTransform(schema.transforms.addUndefinedDefaults);
  const { workspace } = await workspaces.readWorkspace(
    stage,
    workspaces.createWorkspaceHost(new NodeJsSyncHost()),
  );
  const architect = new Architect(new WorkspaceNodeModulesArchitectHost(workspace, stage), registry);
  const logger = new logging.Logger('angular-app');
  const lines: string[] = [];
  logger.subscribe((entry) => lines.push(`${entry.level}: ${entry.message}`));
  const run = await architect.scheduleTarget({ project: 'app', target: 'build' }, {}, { logger });
  const output = await run.lastOutput;
  await run.stop();
  const log = lines.join('\n');
  if (!output.success) throw new Error(`the Angular build failed:\n${log}`);
  return { browserDir: join(stage, 'dist/browser'), log };
}

/**
 * Builds the app in a child process (the Angular build loads ES modules and starts workers,
 * which a test runner's module system should not host) and resolves with what it built.
 */
export async function buildAngularAppInChild(): Promise<BuiltAngularApp> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'build.ts'), '--json'],
    { cwd: root, maxBuffer: 16 * 1024 * 1024, timeout: 300_000 },
  );
  return JSON.parse(stdout.trimEnd().split('\n').at(-1)!) as BuiltAngularApp;
}

if (require.main === module) {
  void buildAngularApp().then(
    (built) =>
      console.log(
        process.argv.includes('--json') ? JSON.stringify(built) : `${built.log}\nbuilt: ${built.browserDir}`,
      ),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
