import { Component } from '@angular/core';
import { RouterLink } from '@angular/router';

@Component({
  selector: 'app-home',
  imports: [RouterLink],
  template: `
    <h1 id="home-page">superserve-rx</h1>
    <a id="run-uname" routerLink="/run" [queryParams]="{ command: 'uname -a' }">Run uname -a</a>
  `,
})
export class HomeComponent {}
