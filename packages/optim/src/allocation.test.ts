import { afterEach, describe, expect, it, vi } from 'vitest';
import { Tensor } from '@tsgrad/tensor';
import { Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, RAdam, RMSprop, SGD, type Optimizer } from './index.js';

/**
 * A step must not allocate in proportion to the parameter count: no new tensors, no typed arrays
 * or ArrayBuffers of any size, and the state tensors stay the same objects over the same storage.
 * Typed-array constructors are counted by wrapping the globals that every allocation in tensor
 * (`allocBuffer`) and here goes through.
 */
const N = 1_000_000;

const CTORS = ['Float32Array', 'Float64Array', 'Int32Array', 'Uint8Array', 'ArrayBuffer'] as const;
const originals = new Map<string, unknown>();
let allocations = 0;
/** Elements (bytes for ArrayBuffer) of the largest allocation seen. */
let largest = 0;

function countAllocations(): void {
  const g = globalThis as unknown as Record<string, unknown>;
  for (const name of CTORS) {
    const ctor = g[name] as new (...args: unknown[]) => object;
    originals.set(name, ctor);
    g[name] = new Proxy(ctor, { construct(target, args, newTarget) {
      allocations++;
      const a = args[0];
      const size = typeof a === 'number' ? a : a !== null && typeof a === 'object' && 'length' in a ? Number((a as { length: number }).length) : 0;
      largest = Math.max(largest, size);
      return Reflect.construct(target, args, newTarget);
    } });
  }
}

function restore(): void {
  const g = globalThis as unknown as Record<string, unknown>;
  for (const [name, ctor] of originals) g[name] = ctor;
  originals.clear();
}

afterEach(() => { restore(); vi.restoreAllMocks(); });

function bigParam(): Tensor {
  const p = Tensor.empty([1000, 1000], 'float32');
  const d = p.storage.data;
  for (let i = 0; i < N; i++) d[i] = Math.sin(i);
  p.requiresGrad_();
  const g = Tensor.empty([1000, 1000], 'float32');
  const gd = g.storage.data;
  for (let i = 0; i < N; i++) gd[i] = Math.cos(i) * 0.1;
  p.grad = g;
  return p;
}

const MAKERS: [string, (ps: Tensor[]) => Optimizer<any>][] = [
  ['SGD momentum nesterov', (ps) => new SGD(ps, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-4 })],
  ['Adam amsgrad', (ps) => new Adam(ps, { amsgrad: true })],
  ['AdamW', (ps) => new AdamW(ps)],
  ['RMSprop centered momentum', (ps) => new RMSprop(ps, { centered: true, momentum: 0.9 })],
  ['Adagrad', (ps) => new Adagrad(ps)],
  ['Adadelta', (ps) => new Adadelta(ps)],
  ['Adamax', (ps) => new Adamax(ps)],
  ['NAdam', (ps) => new NAdam(ps)],
  ['RAdam', (ps) => new RAdam(ps)],
];

describe('a step on 1M parameters allocates nothing per parameter', () => {
  it.each(MAKERS)('%s', (_name, make) => {
    const p = bigParam();
    const bias = Tensor.empty([1000], 'float32').requiresGrad_();
    bias.grad = Tensor.empty([1000], 'float32');
    const opt = make([p, bias]);
    opt.step(); // the first step may create the state buffers
    const state = opt.state.get(p)!;
    const buffers = Object.entries(state).filter(([, v]) => v instanceof Tensor) as [string, Tensor][];
    expect(buffers.length).toBeGreaterThan(0);
    const storages = buffers.map(([, t]) => t.storage.data);
    const before = Array.from(p.storage.data.subarray(0, 4));

    const empty = vi.spyOn(Tensor, 'empty');
    const fromBuffer = vi.spyOn(Tensor, 'fromBuffer');
    allocations = 0;
    countAllocations();
    for (let s = 0; s < 3; s++) opt.step();
    restore();
    expect(allocations).toBe(0);
    expect(empty).not.toHaveBeenCalled();
    expect(fromBuffer).not.toHaveBeenCalled();
    expect(opt.state.get(p)).toBe(state);
    buffers.forEach(([k, t], i) => { expect(state[k]).toBe(t); expect(t.storage.data).toBe(storages[i]); });
    // The steps did update the parameter in place.
    expect(Array.from(p.storage.data.subarray(0, 4))).not.toEqual(before);
  });

  it('strided parameters and gradients reuse per-parameter scratch buffers after the first step', () => {
    const base = Tensor.empty([400, 300], 'float32');
    base.storage.data.forEach((_, i, a) => { a[i] = Math.sin(i); });
    const p = base.transpose(0, 1).requiresGrad_();
    const g = Tensor.empty([400, 300], 'float32');
    g.storage.data.fill(0.5);
    p.grad = g.transpose(0, 1);
    expect(p.isContiguous()).toBe(false);
    expect(p.grad.isContiguous()).toBe(false);
    const opt = new Adam([p], { lr: 0.1 });
    opt.step();
    const probe = base.storage.data[1]!;
    largest = 0;
    countAllocations();
    const empty = vi.spyOn(Tensor, 'empty');
    for (let s = 0; s < 3; s++) opt.step();
    restore();
    // The strided copy kernels may allocate index counters (a few elements per dim), nothing more.
    expect(largest).toBeLessThan(64);
    expect(empty).not.toHaveBeenCalled();
    // Written back through the strided view: every element moved by about lr per step.
    expect(base.storage.data[1]).toBeCloseTo(probe - 0.3, 4);
  });

  it('the counter sees allocations (the check can fail)', () => {
    allocations = 0;
    largest = 0;
    countAllocations();
    Tensor.empty([1000], 'float32');
    restore();
    expect(allocations).toBeGreaterThan(0);
    expect(largest).toBe(1000);
  });
});
