import { Component, inject } from '@angular/core';
import { ActivatedRoute } from '@angular/router';
import { SuperserveExec } from 'superserve-rx/angular';

/**
 * Runs the command of its URL (`/run?command=...&working_dir=...`) and shows its stdout lines as they come, then
 * its exit code or error. The run starts in a field initializer, an injection context: leaving
 * the route destroys the component, which ends the run, and the sandbox kills the command.
 */
@Component({
  selector: 'app-run',
  template: `
    <h1>{{ command }}</h1>
    <p id="status">{{ run.running() ? 'running…' : 'done' }}</p>
    <div id="lines">
      @for (line of run.lines(); track $index) {
        <pre class="line">{{ line }}</pre>
      }
    </div>
    @if (run.result(); as result) {
      <p id="exit">exit {{ result.exitCode }}</p>
    }
    @if (run.error(); as error) {
      <p id="error">{{ error.name }}: {{ error.message }}</p>
    }
  `,
})
export class RunComponent {
  private readonly query = inject(ActivatedRoute).snapshot.queryParamMap;
  readonly command = this.query.get('command') ?? 'true';
  private readonly workingDir = this.query.get('working_dir');
  readonly run = inject(SuperserveExec).runSignals(
    { command: this.command, ...(this.workingDir ? { working_dir: this.workingDir } : {}) },
    { keepLines: 200 },
  );
}
