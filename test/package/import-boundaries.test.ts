import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

// The lint rules that keep the parts of src/ apart (eslint.config.mjs) fail on the imports they
// exist to forbid, and pass the ones the layout allows. Each case is linted as if it were a file
// at that path, through ESLint's API in a child process (the config is an ES module).
const root = resolve(__dirname, '../..');

interface Case {
  readonly file: string;
  readonly code: string;
}

const lintScript = `
const { ESLint } = require('eslint');
const cases = JSON.parse(process.argv[1]);
(async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const results = [];
  for (const { file, code } of cases) {
    const [result] = await eslint.lintText(code, { filePath: file });
    results.push(result.messages.map((m) => m.ruleId + ': ' + m.message));
  }
  process.stdout.write(JSON.stringify(results));
})().catch((error) => { console.error(error); process.exit(1); });
`;

function lint(cases: readonly Case[]): string[][] {
  const out = execFileSync(process.execPath, ['-e', lintScript, JSON.stringify(cases)], {
    cwd: root,
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[][];
}

const forbidden: ReadonlyArray<Case & { readonly rule: RegExp }> = [
  {
    file: 'src/server/probe.ts',
    code: "import { exec$ } from '../client/exec.js';\nexport const probe = exec$;\n",
    rule: /boundaries\/dependencies: .*"server" to elements of type "client"/,
  },
  {
    file: 'src/client/probe.ts',
    code: "import { startLocalSandbox } from '../server/start-local-sandbox.js';\nexport const probe = startLocalSandbox;\n",
    rule: /boundaries\/dependencies: .*"client" to elements of type "server"/,
  },
  {
    file: 'src/tokens/probe.ts',
    code: "import { exec$ } from '../client/exec.js';\nexport const probe = exec$;\n",
    rule: /boundaries\/dependencies: .*"tokens" to elements of type "client"/,
  },
  {
    file: 'src/index.ts',
    code: "export { startLocalSandbox } from './server/start-local-sandbox.js';\n",
    rule: /boundaries\/dependencies: .*"entry" to elements of type "server"/,
  },
  {
    file: 'src/session/probe.ts',
    code: "import { runCli } from '../cli/run-cli.js';\nexport const probe = runCli;\n",
    rule: /boundaries\/dependencies: .*"session" to elements of type "cli"/,
  },
  {
    file: 'src/client/probe.ts',
    code: "import WebSocket from 'ws';\nexport const probe = WebSocket;\n",
    rule: /no-restricted-imports: 'ws' .*Node-only/,
  },
  {
    file: 'src/operators/probe.ts',
    code: "import { readFile } from 'node:fs/promises';\nexport const probe = readFile;\n",
    rule: /no-restricted-imports: 'node:fs\/promises' .*Node built-ins/,
  },
  {
    file: 'src/codec/probe.ts',
    code: "import { inject } from '@angular/core';\nexport const probe = inject;\n",
    rule: /no-restricted-imports: '@angular\/core' .*src\/angular only/,
  },
  {
    file: 'src/angular/probe.ts',
    code: "import { startLocalSandbox } from '../server/start-local-sandbox.js';\nexport const probe = startLocalSandbox;\n",
    rule: /boundaries\/dependencies: .*"angular" to elements of type "server"/,
  },
  {
    file: 'src/angular/probe.ts',
    code: "import WebSocket from 'ws';\nexport const probe = WebSocket;\n",
    rule: /no-restricted-imports: 'ws' .*Node-only/,
  },
];

const allowed: readonly Case[] = [
  {
    file: 'src/angular/probe.ts',
    code: "import { inject } from '@angular/core';\nimport { exec$ } from '../client/exec.js';\nexport const probe = [inject, exec$];\n",
  },
  {
    file: 'src/server/probe.ts',
    code: "import { isUsableAccessToken } from '../tokens/access-token-attempt.js';\nimport { EXEC_SUBPROTOCOL } from '../session/session-protocol.js';\nimport { WebSocketServer } from 'ws';\nexport const probe = [isUsableAccessToken, EXEC_SUBPROTOCOL, WebSocketServer];\n",
  },
  {
    file: 'src/client/probe.ts',
    code: "import { accessTokenAttempt } from '../tokens/access-token-attempt.js';\nexport const probe = accessTokenAttempt;\n",
  },
  {
    file: 'src/cli/probe.ts',
    code: "import { exec$ } from '../client/exec.js';\nimport { startLocalSandbox } from '../server/start-local-sandbox.js';\nexport const probe = [exec$, startLocalSandbox];\n",
  },
];

describe('import boundaries (eslint)', () => {
  let forbiddenResults: string[][];
  let allowedResults: string[][];
  beforeAll(() => {
    const results = lint([...forbidden, ...allowed]);
    forbiddenResults = results.slice(0, forbidden.length);
    allowedResults = results.slice(forbidden.length);
  }, 60_000);

  it.each(forbidden.map((c, index) => [c.file, c.code.split('\n')[0], index] as const))(
    'forbids in %s: %s',
    (_file, _line, index) => {
      expect(forbiddenResults[index]).toEqual([expect.stringMatching(forbidden[index]!.rule)]);
    },
  );

  it.each(allowed.map((c, index) => [c.file, index] as const))(
    'allows the wire imports in %s',
    (_file, index) => {
      expect(allowedResults[index]).toEqual([]);
    },
  );
});
