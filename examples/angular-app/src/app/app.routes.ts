import type { Routes } from '@angular/router';
import { HomeComponent } from './home.component';
import { RunComponent } from './run.component';

export const routes: Routes = [
  { path: '', component: HomeComponent },
  { path: 'run', component: RunComponent },
];
