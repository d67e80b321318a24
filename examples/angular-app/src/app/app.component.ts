import { Component } from '@angular/core';
import { RouterLink, RouterOutlet } from '@angular/router';

@Component({
  selector: 'app-root',
  imports: [RouterOutlet, RouterLink],
  template: `
    <nav><a id="home" routerLink="/">Home</a></nav>
    <router-outlet />
  `,
})
export class AppComponent {}
