// Without the compiled addon, @tsgrad/tensor falls back to its pure-TS backend, and demanding the
// native one fails with a clear error. Each case runs in a child process (the registry runs once per process).
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { skipWithoutAddon } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const tensorIndex = resolve(here, '../../tensor/src/index.ts');
const nativeIndex = resolve(here, '../src/index.ts');

function run(script: string, env: Record<string, string | undefined>): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: resolve(here, '..'),
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, TSGRAD_BACKEND: undefined, TSGRAD_NATIVE_PATH: undefined, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const printInfo = `const t = await import(${JSON.stringify(tensorIndex)}); console.log(JSON.stringify(t.backendInfo()));`;
const missing = join(here, 'no-such-dir', 'tsgrad_native.node');

describe('when the addon is absent', () => {
  it('createBackend() throws an Error naming the path and how to build it', () => {
    const r = run(`const n = await import(${JSON.stringify(nativeIndex)}); try { n.createBackend(); console.log('loaded'); } catch (e) { console.log(e.message); }`, { TSGRAD_NATIVE_PATH: missing });
    expect(r.stdout).toContain(`the compiled addon was not found at ${missing}`);
    expect(r.stdout).toContain('pnpm --filter @tsgrad/native rebuild');
  });

  it('a file that is not an addon gives a load error, not a crash', () => {
    const r = run(`const n = await import(${JSON.stringify(nativeIndex)}); try { n.createBackend(); console.log('loaded'); } catch (e) { console.log(e.message); }`, { TSGRAD_NATIVE_PATH: join(here, 'helpers.ts') });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/cannot load the compiled addon at .*helpers\.ts/);
  });

  it('tensor uses the js backend when TSGRAD_BACKEND is unset', () => {
    const r = run(printInfo, { TSGRAD_NATIVE_PATH: missing });
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout.trim()) as { name: string; nativeAvailable: boolean; nativeError: string };
    expect(info.name).toBe('js');
    expect(info.nativeAvailable).toBe(false);
    expect(info.nativeError).toContain('not found');
  });

  it('TSGRAD_BACKEND=native fails loudly', () => {
    const r = run(printInfo, { TSGRAD_NATIVE_PATH: missing, TSGRAD_BACKEND: 'native' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('the native backend is not available');
  });
});

describe.skipIf(skipWithoutAddon)('when the addon is present', () => {
  it('tensor picks it by default and reports BLAS and threads', () => {
    const r = run(printInfo, {});
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
    expect(info['name']).toBe('native');
    expect(typeof info['blas']).toBe('string');
    expect(info['threads']).toBeGreaterThanOrEqual(1);
  });

  it('raises glibc\'s malloc thresholds at load unless TSGRAD_MALLOC_TUNING=0 or glibc\'s own variables are set', () => {
    const glibc = Boolean((process.report?.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime);
    const tuned = (env: Record<string, string>) => JSON.parse(run(printInfo, env).stdout.trim()).mallocTuned;
    expect(tuned({})).toBe(glibc);
    expect(tuned({ TSGRAD_MALLOC_TUNING: '0' })).toBe(false);
    expect(tuned({ MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' })).toBe(false);
  });

  it('TSGRAD_SPIN_US sets how long idle pool workers poll, and a bad value is a clear error', () => {
    expect(JSON.parse(run(printInfo, {}).stdout.trim())).toMatchObject({ name: 'native', spinMicros: 1000 });
    expect(JSON.parse(run(printInfo, { TSGRAD_SPIN_US: '0' }).stdout.trim())).toMatchObject({ name: 'native', spinMicros: 0 });
    const bad = run(printInfo, { TSGRAD_SPIN_US: 'soon' });
    expect(JSON.parse(bad.stdout.trim()).nativeError).toContain('TSGRAD_SPIN_US must be an integer from 0 to 1000000 (microseconds), got "soon"');
  });

  it('TSGRAD_NUM_THREADS sets the thread count, and a bad value is a clear error', () => {
    const one = run(printInfo, { TSGRAD_NUM_THREADS: '1' });
    expect(JSON.parse(one.stdout.trim())).toMatchObject({ name: 'native', threads: 1, poolThreads: 1 });
    const bad = run(printInfo, { TSGRAD_NUM_THREADS: 'lots' });
    expect(JSON.parse(bad.stdout.trim()).nativeError).toContain('TSGRAD_NUM_THREADS must be a positive integer, got "lots"');
  });
});
