import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { BinaryOp, View } from './backend.js';
import { backendInfo, completeBackend, getBackend, kernels, setBackend, useBackend } from './registry.js';
import { jsBackend } from './js/index.js';
import { tensor } from '../index.js';

/**
 * Backend selection itself: these tests (alone in the suite) look at which backend is loaded.
 * Every test restores the backend it found.
 */
const original = kernels.current;
afterEach(() => {
  kernels.current = original;
});

const registryPath = fileURLToPath(new URL('./registry.ts', import.meta.url));

/** Runs a snippet in a fresh Node process (with tsx for the TypeScript sources) and the given env. */
function runFresh(code: string, env: Record<string, string | undefined>): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('backend registry', () => {
  it('reports the current backend by name', () => {
    const name = getBackend().name;
    expect(['js', 'native']).toContain(name);
    const info = backendInfo();
    expect(info.name).toBe(name);
    if (name === 'js') {
      expect(typeof info['nativeAvailable']).toBe('boolean');
      if (info['nativeAvailable'] === false) expect(typeof info['nativeError']).toBe('string');
    }
  });

  it("setBackend('js') selects the pure-TS kernels", () => {
    setBackend('js');
    expect(getBackend()).toBe(jsBackend);
    expect(getBackend().name).toBe('js');
    expect(backendInfo().name).toBe('js');
    expect(tensor([1, 2]).add(1).toArray()).toEqual([2, 3]);
  });

  it("setBackend('native') either selects native or says which package to install", () => {
    const available = backendInfo()['nativeAvailable'] === true || getBackend().name === 'native';
    if (available) {
      setBackend('native');
      expect(getBackend().name).toBe('native');
      expect(backendInfo().name).toBe('native');
    } else {
      expect(() => setBackend('native')).toThrow(/the native backend is not available: install @tsgrad\/native/);
      expect(getBackend()).toBe(original);
    }
  });

  it('refuses unknown backend names, naming them', () => {
    expect(() => setBackend('cuda' as never)).toThrow(TypeError);
    expect(() => setBackend('cuda' as never)).toThrow(`unknown backend "cuda": expected 'js' or 'native'`);
  });

  it('completes a partial backend kernel by kernel, and per call when a kernel declines', () => {
    const calls: string[] = [];
    const partial = {
      name: 'partial-test',
      // handles float64 adds only; declines (returns false) everything else
      binary(op: BinaryOp, a: View, b: View, out: View): boolean | void {
        if (op !== 'add' || !(out.buffer instanceof Float64Array)) { calls.push(`decline ${op}`); return false; }
        calls.push('add f64');
        const n = out.buffer.length;
        for (let i = 0; i < n; i++) out.buffer[i] = 1000; // recognisable: not a real add
        void a; void b;
      },
    };
    const b = useBackend(partial as never);
    expect(getBackend()).toBe(b);
    expect(b.name).toBe('partial-test');
    expect(b.matmul).toBe(jsBackend.matmul); // missing kernels are the pure-TS ones
    expect(tensor([1, 2], { dtype: 'float64' }).add(tensor([3, 4], { dtype: 'float64' })).toArray()).toEqual([1000, 1000]);
    expect(tensor([1, 2]).add(tensor([3, 4])).toArray()).toEqual([4, 6]); // int32: declined, ran in TS
    expect(tensor([1.5]).mul(tensor([2]))).toBeDefined();
    expect(calls).toEqual(['add f64', 'decline add', 'decline mul']);
    const c = completeBackend({ name: 'empty' });
    for (const key of Object.keys(jsBackend)) if (key !== 'name') expect(typeof (c as unknown as Record<string, unknown>)[key]).toBe('function');
  });

  it('every kernel takes at most seven arguments (completeBackend forwards exactly seven)', () => {
    for (const [key, fn] of Object.entries(jsBackend)) if (key !== 'name') expect((fn as (...a: unknown[]) => unknown).length, key).toBeLessThanOrEqual(7);
    const seen: unknown[][] = [];
    const b = completeBackend({ name: 'arity', scatter: (...args: unknown[]) => { seen.push(args); } } as never);
    const v = {} as View;
    b.scatter(v, 1, v, v, true);
    expect(seen[0]!.slice(0, 5)).toEqual([v, 1, v, v, true]);
    // The LSTM step kernels take seven views: each reaches the kernel in its place.
    const views = Array.from({ length: 7 }, (_, k) => ({ offset: k }) as unknown as View);
    const c = completeBackend({ name: 'arity7', lstmCellBackward: (...args: unknown[]) => { seen.push(args); } } as never);
    c.lstmCellBackward(views[0]!, views[1]!, views[2]!, views[3]!, views[4]!, views[5]!, views[6]!);
    views.forEach((view, k) => expect(seen[1]![k]).toBe(view));
  });

  it('TSGRAD_BACKEND=js selects js in a fresh process; a bad value is an error naming it', () => {
    const ok = runFresh(`const m = await import(${JSON.stringify(registryPath)}); console.log(m.getBackend().name);`, { TSGRAD_BACKEND: 'js' });
    expect(ok.stderr).toBe('');
    expect(ok.stdout.trim()).toBe('js');
    const bad = runFresh(`await import(${JSON.stringify(registryPath)});`, { TSGRAD_BACKEND: 'gpu' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain(`TSGRAD_BACKEND must be 'js' or 'native', got "gpu"`);
  });

  it('TSGRAD_BACKEND=native loads native or fails naming @tsgrad/native; unset falls back silently', () => {
    const native = runFresh(`const m = await import(${JSON.stringify(registryPath)}); console.log(m.getBackend().name);`, { TSGRAD_BACKEND: 'native' });
    if (native.status === 0) expect(native.stdout.trim()).toBe('native');
    else expect(native.stderr).toContain('install @tsgrad/native');
    const unset = runFresh(`const m = await import(${JSON.stringify(registryPath)}); console.log(m.getBackend().name);`, { TSGRAD_BACKEND: undefined });
    expect(unset.status).toBe(0);
    expect(unset.stdout.trim()).toBe(native.status === 0 ? 'native' : 'js');
  });

  it('refuses a second copy of the package, naming both', () => {
    const r = runFresh(
      `globalThis[Symbol.for('@tsgrad/tensor.registry')] = { owner: 'file:///elsewhere/registry.js', native: null, nativeError: null, nativeTried: false };
       await import(${JSON.stringify(registryPath)});`,
      { TSGRAD_BACKEND: 'js' },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('two copies of @tsgrad/tensor are loaded (file:///elsewhere/registry.js and');
  });
});
