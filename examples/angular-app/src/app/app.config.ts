import { type ApplicationConfig, inject, provideZonelessChangeDetection } from '@angular/core';
import { provideRouter } from '@angular/router';
import { provideSuperserve } from 'superserve-rx/angular';
import { routes } from './app.routes';
import { SANDBOX_CONFIG, type SandboxConfig } from './sandbox-config';

/** The app's providers: zoneless, the router, and superserve-rx with options per run. */
export function appConfig(config: SandboxConfig): ApplicationConfig {
  return {
    providers: [
      provideZonelessChangeDetection(),
      provideRouter(routes),
      { provide: SANDBOX_CONFIG, useValue: config },
      // The function form: called once per run, in an injection context, so it can inject().
      provideSuperserve(() => {
        const { sandboxUrl, accessToken } = inject(SANDBOX_CONFIG);
        return { baseUrl: sandboxUrl, accessToken };
      }),
    ],
  };
}
