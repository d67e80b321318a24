// The app reads where its sandbox is (config.json, served beside it), then boots.
import { bootstrapApplication } from '@angular/platform-browser';
import { AppComponent } from './app/app.component';
import { appConfig } from './app/app.config';
import type { SandboxConfig } from './app/sandbox-config';

fetch('config.json')
  .then((response) => response.json() as Promise<SandboxConfig>)
  .then((config) => bootstrapApplication(AppComponent, appConfig(config)))
  .catch((error: unknown) => console.error(error));
