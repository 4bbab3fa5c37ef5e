// Fuzzes the raw addon entry points in a child process: hostile arguments must throw a TypeError or
// RangeError and never crash the process.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { skipWithoutAddon } from './helpers.js';
import { addonPath, rawAddon } from '../src/index.js';

const child = join(dirname(fileURLToPath(import.meta.url)), 'fuzz-child.mjs');

function expectThrows(fn: () => unknown, type: typeof TypeError | typeof RangeError, message: RegExp): void {
  let caught: unknown;
  try { fn(); } catch (e) { caught = e; }
  expect(caught, `expected ${type.name} ${message}`).toBeInstanceOf(type);
  expect((caught as Error).message).toMatch(message);
}

describe.skipIf(skipWithoutAddon)('argument validation', () => {
  const addon = skipWithoutAddon ? (null as unknown as ReturnType<typeof rawAddon>) : rawAddon();
  const f32 = (n: number) => new Float32Array(n);
  const mm = (m: number[]) => new Float64Array(m);

  it('names the argument and the reason', () => {
    expectThrows(() => addon.matmul(f32(4), f32(4), 'x' as never, mm([2, 2, 2, 2, 2, 1, 0, 2, 1, 0, 2, 1, 0])), TypeError, /^out must be/);
    expectThrows(() => addon.matmul(f32(4), new Float64Array(4), f32(4), mm([2, 2, 2, 2, 2, 1, 0, 2, 1, 0, 2, 1, 0])), TypeError, /operands must share a dtype/);
    expectThrows(() => addon.matmul(f32(4), f32(4), f32(4), mm([2, 2, 2, 2, 2, 1, 1, 2, 1, 0, 2, 1, 0])), RangeError, /^a: .*element 4 but the buffer has 4/);
    expectThrows(() => addon.matmul(f32(4), f32(4), f32(4), mm([2, 2, 2, 2, 2, -1, 0, 2, 1, 0, 2, 1, 0])), RangeError, /^a: .*before the buffer start/);
    expectThrows(() => addon.matmul(f32(4), f32(4), f32(4), mm([2, 2, 2, NaN, 2, 1, 0, 2, 1, 0, 2, 1, 0])), RangeError, /K must be an integer/);
    expectThrows(() => addon.matmul(f32(4), f32(4), f32(4), mm([2, 2 ** 40, 2 ** 40, 2, 2, 1, 0, 2, 1, 0, 2, 1, 0])), RangeError, /overflows|reach/);
    expectThrows(() => addon.matmul(f32(4), f32(4), f32(4), mm([2, 2, 2, 2])), RangeError, /meta is too short/);
    expectThrows(() => addon.matmul(f32(4), f32(4), f32(4), mm([2, 2, 2, 2, 2, 1, 0, 2, 1, 0, 2, 1, 0, 9])), RangeError, /trailing/);
    const gone = new Float32Array(4);
    structuredClone(gone.buffer, { transfer: [gone.buffer] });
    expectThrows(() => addon.matmul(gone, f32(4), f32(4), mm([2, 2, 2, 2, 2, 1, 0, 2, 1, 0, 2, 1, 0])), TypeError, /^a's ArrayBuffer is detached/);
    expectThrows(
      () => addon.conv2d(f32(16), f32(9), null, f32(16), mm([1, 1, 4, 4, 1, 1, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0])),
      RangeError, /output spatial size \[3, 3\].*expected \[4, 4\]/,
    );
    expectThrows(
      () => addon.maxPool2dBackward(f32(4), new Int32Array([0, 1, 2, 99]), f32(16), mm([1, 1, 4, 4, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0])),
      RangeError, /indices\[3\] = 99 is out of bounds for an input plane of 4 x 4 = 16 elements/,
    );
    expectThrows(() => addon.maxPool2d(f32(16), f32(4), f32(4) as never, mm([1, 1, 4, 4, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0])), TypeError, /^indices must be int32/);
  });
});

describe.skipIf(skipWithoutAddon)('fuzzing the raw entry points', () => {
  for (const seed of [1, 2]) {
    it(`survives hostile arguments (seed ${seed})`, () => {
      const r = spawnSync(process.execPath, [child, addonPath(), '15000', String(seed)], { encoding: 'utf8', timeout: 120_000 });
      expect(r.signal, `child died with ${r.signal}: ${r.stderr}`).toBeNull();
      expect(r.status, r.stderr).toBe(0);
      const stats = JSON.parse(r.stdout.trim().split('\n').pop()!) as { calls: number; ok: number; typeErrors: number; rangeErrors: number };
      expect(stats.calls).toBe(15000);
      // The mix must exercise all three outcomes, or the fuzzer is not reaching the kernels.
      expect(stats.ok).toBeGreaterThan(100);
      expect(stats.typeErrors).toBeGreaterThan(100);
      expect(stats.rangeErrors).toBeGreaterThan(100);
    });
  }
});
