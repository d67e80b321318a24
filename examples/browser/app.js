// The browser example: stdout and stderr line by line as they arrive, then the exit code or the
// typed error; Cancel unsubscribes, which aborts the request, and the sandbox kills the command.
import { filter, map, merge, share } from 'rxjs';
import { exec$, isExecHttpError, isExecStreamError, lines, outputText } from 'superserve-rx';

const byId = (id) => document.getElementById(id);
const output = byId('output');
const status = byId('status');
let running;

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

function done() {
  byId('run').disabled = false;
  byId('cancel').disabled = true;
  running = undefined;
}

byId('run-form').addEventListener('submit', (submit) => {
  submit.preventDefault();
  output.replaceChildren();
  setStatus('running…');
  byId('run').disabled = true;
  byId('cancel').disabled = false;
  // One request, shared by the two line splitters and the exit code.
  const events$ = exec$(
    { command: byId('command').value },
    { baseUrl: byId('url').value, accessToken: byId('token').value },
  ).pipe(share());
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

// Prefill from the example server, which knows the local sandbox's URL and token.
fetch('/config.json')
  .then((response) => (response.ok ? response.json() : undefined))
  .then((config) => {
    if (!config) return;
    byId('url').value = config.sandboxUrl;
    byId('token').value = config.accessToken;
    document.body.dataset.ready = 'true';
  });
