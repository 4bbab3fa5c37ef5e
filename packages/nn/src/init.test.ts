import { describe, expect, it } from 'vitest';
import { type Tensor, empty, manualSeed, assertClose, toTypedArray, Generator } from '@tsgrad/tensor';
import { init, Parameter, Linear, Conv2d, GRU } from './index.js';

function stats(t: Tensor): { mean: number; std: number; maxAbs: number } {
  const v = toTypedArray(t);
  let s = 0, sq = 0, m = 0;
  for (const x of v) { s += x; sq += x * x; m = Math.max(m, Math.abs(x)); }
  const mean = s / v.length;
  return { mean, std: Math.sqrt(sq / v.length - mean * mean), maxAbs: m };
}

describe('init', () => {
  it('calculateGain and fans follow PyTorch', () => {
    expect(init.calculateGain('linear')).toBe(1);
    expect(init.calculateGain('conv2d')).toBe(1);
    expect(init.calculateGain('tanh')).toBeCloseTo(5 / 3);
    expect(init.calculateGain('relu')).toBeCloseTo(Math.SQRT2);
    expect(init.calculateGain('leaky_relu')).toBeCloseTo(Math.sqrt(2 / (1 + 0.0001)));
    expect(init.calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3));
    expect(init.calculateGain('selu')).toBe(0.75);
    expect(() => init.calculateGain('swish' as never)).toThrow(/unsupported nonlinearity/);
    expect(init.calculateFanInAndFanOut(empty([6, 4, 3, 2]))).toEqual([24, 36]);
    expect(() => init.calculateFanInAndFanOut(empty([5]))).toThrow(/fewer than 2 dimensions/);
  });

  it('xavier and kaiming have the documented spread', () => {
    manualSeed(0);
    const w = new Parameter(empty([300, 200]));
    init.xavierUniform_(w, 2);
    const a = 2 * Math.sqrt(6 / 500);
    expect(stats(w).maxAbs).toBeLessThanOrEqual(a);
    expect(stats(w).std).toBeCloseTo(a / Math.sqrt(3), 2);
    init.xavierNormal_(w);
    expect(stats(w).std).toBeCloseTo(Math.sqrt(2 / 500), 2);
    init.kaimingNormal_(w, { mode: 'fan_out', nonlinearity: 'relu' });
    expect(stats(w).std).toBeCloseTo(Math.sqrt(2 / 300), 2);
    init.kaimingUniform_(w, { nonlinearity: 'relu' });
    const bound = Math.sqrt(2) * Math.sqrt(3 / 200);
    expect(stats(w).maxAbs).toBeLessThanOrEqual(bound);
    expect(stats(w).maxAbs).toBeGreaterThan(0.99 * bound);
    init.truncNormal_(w, 0, 1, -0.5, 1);
    const v = toTypedArray(w);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-0.5);
    expect(Math.max(...v)).toBeLessThanOrEqual(1);
    expect(w.requiresGrad && w.isLeaf).toBe(true);
  });

  it('constant, zeros, ones, uniform, normal', () => {
    const w = new Parameter(empty([2, 3]));
    init.constant_(w, 2.5);
    assertClose(w, [[2.5, 2.5, 2.5], [2.5, 2.5, 2.5]]);
    init.zeros_(w);
    expect(stats(w).maxAbs).toBe(0);
    init.ones_(w);
    expect(stats(w).mean).toBe(1);
    init.uniform_(w, 3, 4);
    expect(toTypedArray(w).every((x) => x >= 3 && x < 4)).toBe(true);
    manualSeed(1);
    const n = empty([4000]);
    init.normal_(n, 2, 0.5);
    expect(stats(n).mean).toBeCloseTo(2, 1);
    expect(stats(n).std).toBeCloseTo(0.5, 1);
  });

  it('orthogonal_ gives orthonormal rows or columns, scaled by gain', () => {
    manualSeed(2);
    for (const shape of [[5, 3], [3, 5], [4, 4], [2, 3, 2]]) {
      const w = empty(shape, { dtype: 'float64' });
      init.orthogonal_(w, 1.5);
      const m = w.reshape(shape[0]!, -1);
      const gram = m.shape[0]! >= m.shape[1]! ? m.t().matmul(m) : m.matmul(m.t());
      const k = gram.shape[0]!;
      const eye = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 2.25 : 0)));
      assertClose(gram, eye, { atol: 1e-10 });
    }
  });

  it('is reproducible with manualSeed and with an explicit generator', () => {
    manualSeed(42);
    const a = new Conv2d(3, 4, 3);
    const g1 = new GRU(3, 4);
    manualSeed(42);
    const b = new Conv2d(3, 4, 3);
    const g2 = new GRU(3, 4);
    assertClose(b.weight, a.weight, { atol: 0, rtol: 0 });
    assertClose(g2.stateDict()['weight_hh_l0']!, g1.stateDict()['weight_hh_l0']!, { atol: 0, rtol: 0 });
    const w1 = empty([3, 3]);
    const w2 = empty([3, 3]);
    init.kaimingUniform_(w1, { generator: new Generator().manualSeed(7) });
    init.kaimingUniform_(w2, { generator: new Generator().manualSeed(7) });
    assertClose(w1, w2, { atol: 0, rtol: 0 });
    // Conv bias uses fanIn = in * kH * kW.
    expect(stats(new Conv2d(3, 4, 3).bias!).maxAbs).toBeLessThanOrEqual(1 / Math.sqrt(27));
    expect(new Linear(1, 1).weight.requiresGrad).toBe(true);
  });
});
