import { Component, inject, signal } from '@angular/core';
import { rxResource } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import { SuperserveExec } from 'superserve-rx/angular';

/**
 * The start page: a link to a run, and `uname` as an `rxResource` keyed by a signal, so that
 * choosing another flag cancels the run in flight and starts the next.
 */
@Component({
  selector: 'app-home',
  imports: [RouterLink],
  template: `
    <h1 id="home-page">superserve-rx</h1>
    <a id="run-uname" routerLink="/run" [queryParams]="{ command: 'uname -a' }">Run uname -a</a>
    <p>
      <button id="uname-s" (click)="flag.set('-s')">kernel</button>
      <button id="uname-m" (click)="flag.set('-m')">machine</button>
      @if (uname.value(); as output) {
        <output id="uname">{{ flag() }}: {{ output.stdout.trim() }}</output>
      }
    </p>
  `,
})
export class HomeComponent {
  private readonly exec = inject(SuperserveExec);
  readonly flag = signal<'-s' | '-m'>('-s');
  readonly uname = rxResource({
    params: () => ({ flag: this.flag() }),
    stream: ({ params }) => this.exec.run({ command: `uname ${params.flag}` }).result$,
  });
}
