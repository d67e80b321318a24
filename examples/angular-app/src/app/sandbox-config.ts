import { InjectionToken } from '@angular/core';

/** Where the app's sandbox is and its token, as the page's server hands them out. */
export interface SandboxConfig {
  readonly sandboxUrl: string;
  readonly accessToken: string;
}

/** The {@link SandboxConfig} the app booted with. */
export const SANDBOX_CONFIG = new InjectionToken<SandboxConfig>('SandboxConfig');
