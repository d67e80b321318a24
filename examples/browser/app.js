// The browser example: stdout and stderr line by line as they arrive, then the exit code or the
// typed error; Cancel unsubscribes, which aborts the request (or closes the session's socket),
// and the sandbox kills the command. An interactive run is a session over /exec/connect: the
// stdin box feeds the command's stdin, EOF ends it, Ctrl-C sends SIGINT to its process group,
// and the output arrives as bytes, shown as text (decoded as a stream, so a character split
// across writes comes out whole) and, for stdout, as hex.
//
// The Files tab uploads a chosen file with writeFile$ (a Blob: the progress bar follows the bytes
// as they go out, through XMLHttpRequest's upload progress), lists the directory with listFiles$
// and downloads an entry with readFile$ (its chunks gathered into a Blob the browser saves).
//
// The Terminal tab is the sandbox's shell in xterm.js: attachTerminal wires the widget's keys,
// size (fitted to its box, and again whenever the window is resized) and screen to terminal$.
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { filter, map, merge, share, Subject, tap, toArray } from 'rxjs';
import {
  attachTerminal,
  exec$,
  execSession$,
  isExecHttpError,
  isExecStreamError,
  lines,
  listFiles$,
  outputText,
  readFile$,
  terminal$,
  writeFile$,
} from 'superserve-rx';

// How many stdout bytes the hex view shows: bounded, however much the command prints.
const HEX_BYTES = 256;

const byId = (id) => document.getElementById(id);
const output = byId('output');
const status = byId('status');
const bytes = byId('bytes');
let running;
// While a session runs: the Subjects it reads its stdin and signals from.
let session;

function setStatus(text, isError = false) {
  status.textContent = text;
  status.className = isError ? 'error' : '';
}

function append(stream, text) {
  const line = document.createElement('div');
  line.className = stream;
  line.textContent = text;
  output.append(line);
}

function describe(error) {
  if (isExecHttpError(error)) return `${error.name} ${error.status}: ${error.body}`;
  return isExecStreamError(error) ? `${error.name}: ${error.message}` : String(error);
}

function enableSessionControls(enabled) {
  for (const id of ['stdin', 'send', 'eof', 'ctrl-c']) byId(id).disabled = !enabled;
}

function done() {
  byId('run').disabled = false;
  byId('cancel').disabled = true;
  enableSessionControls(false);
  running = undefined;
  session = undefined;
}

/** A tap for session events: stdout's byte count and its first bytes in hex. */
function showStdoutBytes() {
  const hex = [];
  let total = 0;
  return (event) => {
    if (event.type !== 'stdout') return;
    total += event.data.length;
    for (const byte of event.data.subarray(0, HEX_BYTES - hex.length)) {
      hex.push(byte.toString(16).padStart(2, '0'));
    }
    const which = total > HEX_BYTES ? `, the first ${HEX_BYTES}` : '';
    bytes.textContent = `stdout bytes (${total}${which}): ${hex.join(' ')}`;
  };
}

function startSession(request, options) {
  session = { stdin: new Subject(), signals: new Subject() };
  enableSessionControls(true);
  byId('stdin').focus();
  return execSession$(request, session, options).pipe(tap(showStdoutBytes()));
}

byId('run-form').addEventListener('submit', (submit) => {
  submit.preventDefault();
  output.replaceChildren();
  const interactive = byId('interactive').checked;
  bytes.textContent = '';
  bytes.hidden = !interactive;
  setStatus('running…');
  byId('run').disabled = true;
  byId('cancel').disabled = false;
  const request = { command: byId('command').value };
  const options = { baseUrl: byId('url').value, accessToken: byId('token').value };
  // One request (or session), shared by the two line splitters and the exit code.
  const events$ = (interactive ? startSession(request, options) : exec$(request, options)).pipe(share());
  const lines$ = (stream) =>
    events$.pipe(
      outputText(stream),
      lines(),
      map((text) => ({ stream, text })),
    );
  const exit$ = events$.pipe(
    filter((event) => event.type === 'finished'),
    map((event) => ({ exitCode: event.exitCode })),
  );
  let exitCode;
  running = merge(lines$('stdout'), lines$('stderr'), exit$).subscribe({
    next: (item) => ('exitCode' in item ? (exitCode = item.exitCode) : append(item.stream, item.text)),
    error: (error) => {
      setStatus(describe(error), true);
      done();
    },
    complete: () => {
      setStatus(`exit ${exitCode}`, exitCode !== 0);
      done();
    },
  });
});

byId('cancel').addEventListener('click', () => {
  running?.unsubscribe();
  setStatus('cancelled');
  done();
});

// Send: one line of stdin, with the newline a terminal would add; shown as typed.
byId('stdin-form').addEventListener('submit', (submit) => {
  submit.preventDefault();
  if (session === undefined) return;
  const line = byId('stdin').value;
  append('stdin', `› ${line}`);
  session.stdin.next(`${line}\n`);
  byId('stdin').value = '';
});

// EOF completes stdin: the command reads end of file; its output keeps coming until it exits.
byId('eof').addEventListener('click', () => {
  session?.stdin.complete();
  for (const id of ['stdin', 'send', 'eof']) byId(id).disabled = true;
});

byId('ctrl-c').addEventListener('click', () => session?.signals.next('SIGINT'));

const showStdinForm = () =>
  (byId('stdin-form').hidden = !byId('interactive').checked || byId('files-panel').hidden === false);
byId('interactive').addEventListener('change', showStdinForm);
showStdinForm();

// Tabs: the URL and token are shared; the rest of the page is the run's, the files' or the terminal's.
function showTab(tab) {
  const run = tab === 'run';
  for (const name of ['run', 'files', 'terminal']) {
    byId(`tab-${name}`).setAttribute('aria-selected', String(tab === name));
  }
  byId('run-panel').hidden = !run;
  byId('run-panel').style.display = run ? 'contents' : 'none';
  byId('run-output').hidden = !run;
  byId('files-panel').hidden = tab !== 'files';
  byId('terminal-panel').hidden = tab !== 'terminal';
  byId('stdin-form').hidden = !run || !byId('interactive').checked;
  if (tab === 'terminal') openTerminal();
}
byId('tab-run').addEventListener('click', () => showTab('run'));
byId('tab-files').addEventListener('click', () => showTab('files'));
byId('tab-terminal').addEventListener('click', () => showTab('terminal'));

// The Terminal tab: one xterm.js widget, fitted to its box; each "New shell" is a new terminal$.
let term;
let fit;
let shell;
function setTerminalStatus(text, isError = false) {
  byId('terminal-status').textContent = text;
  byId('terminal-status').className = isError ? 'error' : '';
}
function showTerminalSize() {
  document.body.dataset.terminalSize = `${term.rows} ${term.cols}`;
}
function openTerminal() {
  if (term === undefined) {
    term = new Terminal({ fontSize: 13, cursorBlink: true });
    fit = new FitAddon();
    term.loadAddon(fit);
    term.open(byId('terminal'));
    term.onResize(showTerminalSize);
    window.addEventListener('resize', () => fit.fit());
  }
  fit.fit();
  showTerminalSize();
  if (shell === undefined) connectShell();
  term.focus();
}
function connectShell() {
  shell?.unsubscribe();
  setTerminalStatus('connected');
  byId('terminal-disconnect').disabled = false;
  const ended = (text, isError = false) => {
    shell = undefined;
    byId('terminal-disconnect').disabled = true;
    setTerminalStatus(text, isError);
  };
  shell = attachTerminal(term, (io) => terminal$(io, connection()), {
    complete: () => ended('shell exited'),
    error: (error) => ended(describe(error), true),
  });
}
byId('terminal-connect').addEventListener('click', () => {
  term.reset();
  connectShell();
  term.focus();
});
byId('terminal-disconnect').addEventListener('click', () => {
  shell?.unsubscribe();
  shell = undefined;
  byId('terminal-disconnect').disabled = true;
  setTerminalStatus('disconnected');
});

const filesStatus = byId('files-status');
function setFilesStatus(text, isError = false) {
  filesStatus.textContent = text;
  filesStatus.className = isError ? 'error' : '';
}
const connection = () => ({ baseUrl: byId('url').value, accessToken: byId('token').value });
const directory = () => byId('directory').value.replace(/\/+$/, '');

byId('files-form').addEventListener('submit', (submit) => {
  submit.preventDefault();
  const file = byId('upload-file').files[0];
  if (file === undefined) return setFilesStatus('choose a file first', true);
  const progress = byId('upload-progress');
  progress.value = 0;
  progress.max = file.size || 1;
  byId('upload').disabled = true;
  setFilesStatus(`uploading ${file.name}…`);
  writeFile$(`${directory()}/${file.name}`, file, connection()).subscribe({
    next: (event) => {
      if (event.type === 'progress') progress.value = event.sentBytes;
      else setFilesStatus(`written ${event.path} (${event.size} bytes)`);
    },
    error: (error) => {
      setFilesStatus(describe(error), true);
      byId('upload').disabled = false;
    },
    complete: () => {
      byId('upload').disabled = false;
      listDirectory();
    },
  });
});

function listDirectory() {
  listFiles$(directory(), connection()).subscribe({
    next: ({ entries }) => {
      const items = [...entries]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((entry) => {
          const item = document.createElement('li');
          item.dataset.name = entry.name;
          item.textContent = `${entry.isDir ? `${entry.name}/` : entry.name} ${entry.size} bytes `;
          if (!entry.isDir) {
            const button = document.createElement('button');
            button.type = 'button';
            button.textContent = 'Download';
            button.addEventListener('click', () => download(entry.name));
            item.append(button);
          }
          return item;
        });
      byId('file-list').replaceChildren(...items);
    },
    error: (error) => setFilesStatus(describe(error), true),
  });
}
byId('list').addEventListener('click', listDirectory);

function download(name) {
  setFilesStatus(`downloading ${name}…`);
  readFile$(`${directory()}/${name}`, connection())
    .pipe(toArray())
    .subscribe({
      next: (chunks) => {
        const blob = new Blob(chunks);
        const link = document.createElement('a');
        link.href = URL.createObjectURL(blob);
        link.download = name;
        link.click();
        setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
        setFilesStatus(`downloaded ${name} (${blob.size} bytes)`);
      },
      error: (error) => setFilesStatus(describe(error), true),
    });
}

// Prefill from the example server, which knows the local sandbox's URL and token.
fetch('/config.json')
  .then((response) => (response.ok ? response.json() : undefined))
  .then((config) => {
    if (!config) return;
    byId('url').value = config.sandboxUrl;
    byId('token').value = config.accessToken;
    byId('directory').value = config.filesDir;
    document.body.dataset.ready = 'true';
  });
