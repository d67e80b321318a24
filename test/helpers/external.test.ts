import {
  chromiumRequirement,
  type ExternalRequirement,
  findExternal,
  launchable,
  unzipRequirement,
} from './external';

// The rule for tests that need what `npm ci` does not install: found, skipped with a reason, or,
// where required, a failure. Checked with real executables, not a browser.
const requirement = (candidates: string[]): ExternalRequirement => ({
  what: 'Thing',
  requiredBy: 'REQUIRE_THING',
  candidates,
  howTo: 'install thing',
});

describe('external requirements', () => {
  it('launchable: an executable that exits 0 is, /dev/null, a missing path and a failing one are not', () => {
    expect(launchable(process.execPath)).toBe(true);
    expect(launchable('/dev/null')).toBe(false);
    expect(launchable('/no/such/binary')).toBe(false);
    expect(launchable(process.execPath, ['-e', 'process.exit(3)'])).toBe(false);
  });

  it('takes the first launchable candidate, skipping broken ones', () => {
    expect(findExternal(requirement(['/dev/null', process.execPath, '/bin/sh']))).toEqual({
      found: true,
      path: process.execPath,
    });
  });

  it('says why and how when nothing launches, and is required only under its variable set to 1', () => {
    const missing = requirement(['/dev/null', '/no/such/binary']);
    const outcome = findExternal(missing, {});
    expect(outcome).toEqual({
      found: false,
      required: false,
      reason: 'no launchable Thing (tried /dev/null, /no/such/binary); to run these tests: install thing',
    });
    expect(findExternal(missing, { REQUIRE_THING: '1' })).toMatchObject({ found: false, required: true });
    expect(findExternal(missing, { REQUIRE_THING: '0', CI: 'true' })).toMatchObject({ required: false });
  });

  it('Chromium: CHROMIUM_PATH is tried before the usual paths, which are tried without it', () => {
    expect(chromiumRequirement({ CHROMIUM_PATH: '/opt/chrome' }).candidates[0]).toBe('/opt/chrome');
    expect(chromiumRequirement({}).candidates).toContain('/usr/bin/chromium');
    expect(unzipRequirement({ UNZIP_PATH: '/opt/unzip' }).candidates[0]).toBe('/opt/unzip');
    expect(unzipRequirement({}).candidates).toContain('/usr/bin/unzip');
    expect(unzipRequirement({}).requiredBy).toBe('SUPERSERVE_RX_REQUIRE_UNZIP');
    expect(chromiumRequirement({}).requiredBy).toBe('SUPERSERVE_RX_REQUIRE_BROWSER');
  });
});
