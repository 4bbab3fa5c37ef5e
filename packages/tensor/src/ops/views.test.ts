import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Tensor, arange, getBackend, tensor, zeros } from '../index.js';
import { castTo, forEachIndex, ravel, readElements, size, toNested, unravel } from '../test-utils/naive.js';
import { buildStrided, dtypeArb, fcOptions, layoutArb, shapeArb } from '../test-utils/arbitraries.js';

const backend = getBackend().name;

/** A [2, 3, 4] float64 tensor whose values are their own flat positions. */
const positions = () => arange(24, undefined, 1, { dtype: 'float64' }).view(2, 3, 4);

describe(`views: values and sharing (${backend} backend)`, () => {
  it('view/reshape reinterpret row-major order and share storage', () => {
    const x = positions();
    const v = x.view(6, 4);
    expect(v.shape).toEqual([6, 4]);
    expect(v.storage).toBe(x.storage);
    expect(x.view(-1).toArray()).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(x.view([4, -1]).shape).toEqual([4, 6]);
    expect(x.reshape(3, 8).storage).toBe(x.storage);
    const root = arange(6);
    expect(root.view(2, 3).base).toBe(root);
    expect(root.view(2, 3).view(3, 2).base).toBe(root);
    expect(x.viewAs(zeros(4, 6)).shape).toEqual([4, 6]);
    expect(x.reshapeAs(zeros(24)).shape).toEqual([24]);
    expect(tensor(5).view(1, 1).toArray()).toEqual([[5]]);
    expect(tensor([5]).view([]).shape).toEqual([]);
  });

  it('reshape copies only when a view is impossible; view then refuses, naming sizes and strides', () => {
    const t = positions().transpose(1, 2); // [2, 4, 3], not contiguous
    expect(() => t.view(2, 12)).toThrow(RangeError);
    expect(() => t.view(2, 12)).toThrow("view size [2, 12] is not compatible with input tensor's size [2, 4, 3] and stride [12, 1, 4]: use reshape() instead");
    const r = t.reshape(2, 12);
    expect(r.storage).not.toBe(t.storage);
    expect(r.toArray()).toEqual([
      [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11],
      [12, 16, 20, 13, 17, 21, 14, 18, 22, 15, 19, 23],
    ]);
    // splitting a dim of a non-contiguous tensor is still a view
    expect(t.reshape(2, 2, 2, 3).storage).toBe(t.storage);
    expect(() => positions().view(5, 5)).toThrow('shape [5, 5] is invalid for input of size 24 (shape [2, 3, 4])');
    expect(() => positions().reshape(-1, -1)).toThrow(/only one dimension can be inferred/);
  });

  it('transpose, permute, T, mT and t()', () => {
    const x = positions();
    expect(x.transpose(0, 2).shape).toEqual([4, 3, 2]);
    expect(x.transpose(0, 2).strides).toEqual([1, 4, 12]);
    expect(x.transpose(-1, -3).toArray()).toEqual(x.permute(2, 1, 0).toArray());
    expect(x.permute([1, 2, 0]).shape).toEqual([3, 4, 2]);
    expect(x.permute(1, 2, 0).toArray()).toEqual(x.permute(-2, -1, 0).toArray());
    const m = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(m.T.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(m.t().toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(x.T.shape).toEqual([4, 3, 2]);
    expect(x.mT.shape).toEqual([2, 4, 3]);
    expect(x.mT.storage).toBe(x.storage);
    expect(tensor([1, 2]).t().toArray()).toEqual([1, 2]);
    expect(tensor(3).T.item()).toBe(3);
    expect(() => x.t()).toThrow(/t\(\) expects a tensor with <= 2 dims, got shape \[2, 3, 4\]/);
    expect(() => tensor([1, 2]).mT).toThrow('mT needs at least 2 dims, got shape [2]');
    expect(() => x.permute(0, 1)).toThrow(/dims \[0, 1\] must be a permutation of the 3 dims of a tensor of shape \[2, 3, 4\]/);
    expect(() => x.permute(0, 1, 1)).toThrow(RangeError);
    expect(() => x.transpose(0, 3)).toThrow(/dim 3 is out of range for a tensor with 3 dimensions/);
  });

  it('squeeze and unsqueeze (negative dims count from the end, unsqueeze from ndim+1)', () => {
    const x = zeros(2, 1, 3, 1);
    expect(x.squeeze().shape).toEqual([2, 3]);
    expect(x.squeeze(1).shape).toEqual([2, 3, 1]);
    expect(x.squeeze(-1).shape).toEqual([2, 1, 3]);
    expect(x.squeeze([1, 3]).shape).toEqual([2, 3]);
    expect(x.squeeze(0).shape).toEqual([2, 1, 3, 1]); // size 2: no-op, as PyTorch
    const y = tensor([1, 2, 3]);
    expect(y.unsqueeze(0).toArray()).toEqual([[1, 2, 3]]);
    expect(y.unsqueeze(1).toArray()).toEqual([[1], [2], [3]]);
    expect(y.unsqueeze(-1).shape).toEqual([3, 1]);
    expect(y.unsqueeze(-2).shape).toEqual([1, 3]);
    expect(tensor(4).unsqueeze(0).shape).toEqual([1]);
    expect(() => y.unsqueeze(2)).toThrow(/dim 2 is out of range for a tensor with 2 dimensions/);
    expect(() => x.squeeze(4)).toThrow(RangeError);
    // unsqueezed views stay contiguous
    expect(y.unsqueeze(1).isContiguous()).toBe(true);
    expect(positions().unsqueeze(3).isContiguous()).toBe(true);
  });

  it('expand and broadcastTo broadcast with stride 0 and no copy', () => {
    const c = tensor([[1], [2]]);
    const e = c.expand(2, 3);
    expect(e.toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(e.strides[1]).toBe(0);
    expect(e.storage).toBe(c.storage);
    expect(c.expand(4, -1, 2).shape).toEqual([4, 2, 2]);
    expect(c.expandAs(zeros(3, 2, 5)).shape).toEqual([3, 2, 5]);
    expect(tensor([1, 2]).broadcastTo([3, 2]).toArray()).toEqual([[1, 2], [1, 2], [1, 2]]);
    expect(tensor([7]).expand(0).shape).toEqual([0]);
    expect(tensor(7).expand(2, 2).toArray()).toEqual([[7, 7], [7, 7]]);
    expect(() => c.expand(3, 3)).toThrow(RangeError);
    expect(() => c.expand(3, 3)).toThrow('expand: the expanded size 3 must match the existing size 2 at dimension 0 (shape [2, 1] to [3, 3])');
    expect(() => c.expand(3)).toThrow(/number of sizes \(1\) must be at least the tensor's dims \(2\)/);
    expect(() => c.expand(-1, 2, 3)).toThrow(/invalid size -1 at dimension 0 .*not allowed in new leading dims/);
    expect(() => c.expand(2, -2)).toThrow(/invalid size -2/);
    expect(() => tensor([1, 2]).broadcastTo([3])).toThrow('broadcastTo: shape [2] cannot be broadcast to [3]');
    expect(() => zeros(2, 3).broadcastTo([3])).toThrow(RangeError);
  });

  it('slice follows Python slicing: negative and out-of-range bounds clamp, steps skip', () => {
    const x = arange(10);
    expect(x.slice(0, 2, 5).toArray()).toEqual([2, 3, 4]);
    expect(x.slice(0, -3).toArray()).toEqual([7, 8, 9]);
    expect(x.slice(0, 1, -1, 3).toArray()).toEqual([1, 4, 7]);
    expect(x.slice(0, 0, 100, 4).toArray()).toEqual([0, 4, 8]);
    expect(x.slice(0, 8, 2).toArray()).toEqual([]);
    expect(x.slice(0, -100, 2).toArray()).toEqual([0, 1]);
    expect(x.slice(0, 12).shape).toEqual([0]);
    const m = positions();
    expect(m.slice(2, 1, 4, 2).toArray()).toEqual([[[1, 3], [5, 7], [9, 11]], [[13, 15], [17, 19], [21, 23]]]);
    expect(m.slice(-2, 1).shape).toEqual([2, 2, 4]);
    expect(m.slice(1, 1).offset).toBe(4);
    expect(() => x.slice(0, 0, 5, 0)).toThrow('slice: step must be a positive integer, got 0');
    expect(() => x.slice(0, 0, 5, -1)).toThrow(RangeError);
    expect(() => x.slice(0, 0.5)).toThrow(TypeError);
    expect(() => x.slice(0, 0, 2.5)).toThrow('slice: end must be an integer, got 2.5');
    expect(() => x.slice(1, 0)).toThrow(/dim 1 is out of range/);
  });

  it('narrow takes a window and checks it fits', () => {
    const m = positions();
    expect(m.narrow(1, 1, 2).toArray()).toEqual(m.slice(1, 1, 3).toArray());
    expect(m.narrow(-1, -2, 2).toArray()).toEqual(m.slice(2, 2, 4).toArray());
    expect(m.narrow(0, 2, 0).shape).toEqual([0, 3, 4]);
    expect(() => m.narrow(1, 2, 2)).toThrow(RangeError);
    expect(() => m.narrow(1, 2, 2)).toThrow('narrow: start 2 and length 2 exceed dimension 1 of size 3');
    expect(() => m.narrow(1, 0, -1)).toThrow(RangeError);
    expect(() => m.narrow(1, 0.5, 1)).toThrow(TypeError);
  });

  it('select removes the dim; negative indices count from the end', () => {
    const m = positions();
    expect(m.select(0, 1).toArray()).toEqual([[12, 13, 14, 15], [16, 17, 18, 19], [20, 21, 22, 23]]);
    expect(m.select(-1, -1).toArray()).toEqual([[3, 7, 11], [15, 19, 23]]);
    expect(m.select(1, 2).select(1, 3).toArray()).toEqual([11, 23]);
    expect(tensor([4, 5]).select(0, 1).shape).toEqual([]);
    expect(() => m.select(1, 3)).toThrow(RangeError);
    expect(() => m.select(1, 3)).toThrow('select: index 3 is out of range for dimension 1 with size 3');
    expect(() => m.select(1, -4)).toThrow(/index -4 is out of range/);
  });

  it('flatten and unflatten', () => {
    const m = positions();
    expect(m.flatten().shape).toEqual([24]);
    expect(m.flatten(1).shape).toEqual([2, 12]);
    expect(m.flatten(0, 1).shape).toEqual([6, 4]);
    expect(m.flatten(-2, -1).storage).toBe(m.storage);
    expect(tensor(3).flatten().shape).toEqual([1]);
    expect(m.transpose(0, 2).flatten().toArray()).toEqual(readElements(m.transpose(0, 2)).data);
    expect(() => m.flatten(2, 1)).toThrow('flatten: startDim 2 comes after endDim 1');
    expect(m.unflatten(2, [2, 2]).shape).toEqual([2, 3, 2, 2]);
    expect(m.unflatten(-1, [-1, 2]).shape).toEqual([2, 3, 2, 2]);
    expect(m.unflatten(1, [3, 1]).storage).toBe(m.storage);
    // splitting a dim is always a view, even of a non-contiguous tensor
    expect(m.mT.unflatten(1, [2, 2]).storage).toBe(m.storage);
    expect(m.mT.unflatten(1, [2, 2]).toArray()).toEqual(m.mT.reshape(2, 2, 2, 3).toArray());
    expect(() => m.unflatten(2, [3, 2])).toThrow(/shape \[3, 2\] is invalid for input of size 4/);
  });

  it('diagonal of any plane, above or below the main diagonal', () => {
    const a = arange(12).view(3, 4);
    expect(a.diagonal().toArray()).toEqual([0, 5, 10]);
    expect(a.diagonal(1).toArray()).toEqual([1, 6, 11]);
    expect(a.diagonal(2).toArray()).toEqual([2, 7]);
    expect(a.diagonal(-1).toArray()).toEqual([4, 9]);
    expect(a.diagonal(-3).shape).toEqual([0]);
    expect(a.diagonal(5).shape).toEqual([0]);
    expect(a.diagonal(0, 1, 0).toArray()).toEqual([0, 5, 10]);
    const m = positions();
    expect(m.diagonal(0, 1, 2).toArray()).toEqual([[0, 5, 10], [12, 17, 22]]);
    expect(m.diagonal(0, -1, 0).toArray()).toEqual([[0, 13], [4, 17], [8, 21]]);
    expect(m.diagonal().storage).toBe(m.storage);
    expect(() => a.diagonal(0, 1, -1)).toThrow('diagonal: dim1 and dim2 must differ, both are 1');
    expect(() => a.diagonal(0.5)).toThrow(TypeError);
    expect(() => tensor([1, 2]).diagonal()).toThrow(/dim 1 is out of range for a tensor with 1 dimension/);
  });
});

describe(`views: contiguity, clone and casts (${backend} backend)`, () => {
  it('isContiguous/contiguous/clone', () => {
    const m = positions();
    expect(m.isContiguous()).toBe(true);
    expect(m.contiguous()).toBe(m);
    const t = m.transpose(0, 1);
    expect(t.isContiguous()).toBe(false);
    const c = t.contiguous();
    expect(c.isContiguous()).toBe(true);
    expect(c.storage).not.toBe(m.storage);
    expect(c.toArray()).toEqual(t.toArray());
    expect(m.slice(2, 0, 4, 2).isContiguous()).toBe(false);
    expect(m.select(0, 1).isContiguous()).toBe(true);
    expect(m.expand(3, 2, 3, 4).isContiguous()).toBe(false);
    const k = m.clone();
    expect(k.storage).not.toBe(m.storage);
    k.fill_(0);
    expect(m.sum().item()).toBe(276);
    expect(k.base).toBeNull();
    expect(t.clone().toArray()).toEqual(t.toArray());
  });

  it('to/float/double/int/bool cast (int truncates toward zero, bool is nonzero, NaN is true)', () => {
    const f = tensor([1.7, -1.7, 0, NaN, 0.25], { dtype: 'float64' });
    expect(f.float().dtype).toBe('float32');
    expect(f.int().toArray()).toEqual([1, -1, 0, 0, 0]);
    expect(f.bool().toArray()).toEqual([true, true, false, true, true]);
    expect(tensor([0.1], { dtype: 'float64' }).float().item()).toBe(Math.fround(0.1));
    expect(tensor([true, false]).double().toArray()).toEqual([1, 0]);
    expect(tensor([3, -2]).to('float32').dtype).toBe('float32');
    expect(tensor([3, 0]).bool().toArray()).toEqual([true, false]);
    const same = tensor([1, 2]);
    expect(same.int()).toBe(same);
    // casts read through views
    expect(positions().mT.int().toArray()).toEqual(positions().mT.toArray());
    expect(() => same.to('int8' as never)).toThrow(/dtype must be one of float32, float64, int32, bool; got "int8"/);
  });
});

// ---- property tests --------------------------------------------------------------------------

/** Each element's multi-index in the base, for the view under construction. */
type ToBase = (idx: number[]) => number[];

interface Chain {
  v: Tensor;
  shape: number[];
  toBase: ToBase;
  expanded: boolean;
  log: string[];
}

const stepArb = fc.record({ kind: fc.integer({ min: 0, max: 13 }), a: fc.nat(1000), b: fc.nat(1000), c: fc.nat(1000) });

/** Python's slice indices for [start:end:step] on `size`, written out longhand. */
function sliceIndices(size: number, start: number, end: number, step: number): number[] {
  const norm = (i: number) => {
    let r = i < 0 ? i + size : i;
    if (r < 0) r = 0;
    if (r > size) r = size;
    return r;
  };
  const out: number[] = [];
  for (let i = norm(start); i < norm(end); i += step) out.push(i);
  return out;
}

/** Applies one random view step to the chain (both the tensor and the independent index map). */
function applyStep(ch: Chain, s: { kind: number; a: number; b: number; c: number }, allowExpand: boolean): void {
  const { shape, toBase } = ch;
  const nd = shape.length;
  const pickDim = (r: number) => (r % nd) - (r % 2 === 0 ? 0 : nd); // mixes positive and negative dims
  const norm = (d: number) => (d < 0 ? d + nd : d);
  switch (s.kind) {
    case 0: case 1: { // permute
      if (nd === 0) return;
      const perm = shape.map((_, i) => i);
      for (let i = nd - 1; i > 0; i--) { const j = (s.a + s.b * i) % (i + 1); [perm[i], perm[j]] = [perm[j]!, perm[i]!]; }
      ch.v = ch.v.permute(perm);
      ch.shape = perm.map((p) => shape[p]!);
      ch.toBase = (idx) => { const old = new Array<number>(nd); perm.forEach((p, i) => { old[p] = idx[i]!; }); return toBase(old); };
      ch.log.push(`permute(${perm})`);
      return;
    }
    case 2: { // transpose
      if (nd === 0) return;
      const d0 = pickDim(s.a), d1 = pickDim(s.b);
      const a = norm(d0), b = norm(d1);
      ch.v = ch.v.transpose(d0, d1);
      const ns = shape.slice(); [ns[a], ns[b]] = [ns[b]!, ns[a]!];
      ch.shape = ns;
      ch.toBase = (idx) => { const o = idx.slice(); [o[a], o[b]] = [o[b]!, o[a]!]; return toBase(o); };
      ch.log.push(`transpose(${d0}, ${d1})`);
      return;
    }
    case 3: case 4: { // slice with step, Python bounds
      if (nd === 0) return;
      const d0 = pickDim(s.a), d = norm(d0);
      const size = shape[d]!;
      const start = (s.b % (size + 3)) - 1 - (s.b % 3 === 0 ? size : 0);
      const end = (s.c % (size + 3)) - (s.c % 4 === 0 ? size + 1 : 0);
      const step = 1 + (s.a % 3);
      const ix = sliceIndices(size, start, end, step);
      ch.v = ch.v.slice(d0, start, end, step);
      ch.shape = shape.map((v, i) => (i === d ? ix.length : v));
      ch.toBase = (idx) => { const o = idx.slice(); o[d] = ix[idx[d]!]!; return toBase(o); };
      ch.log.push(`slice(${d0}, ${start}, ${end}, ${step})`);
      return;
    }
    case 5: { // select
      if (nd === 0) return;
      const d0 = pickDim(s.a), d = norm(d0);
      if (shape[d] === 0) return;
      const i = s.b % shape[d]!;
      const index = s.c % 2 === 0 ? i : i - shape[d]!;
      ch.v = ch.v.select(d0, index);
      ch.shape = shape.filter((_, k) => k !== d);
      ch.toBase = (idx) => { const o = idx.slice(); o.splice(d, 0, i); return toBase(o); };
      ch.log.push(`select(${d0}, ${index})`);
      return;
    }
    case 6: { // unsqueeze
      if (nd >= 5) return;
      const d = s.a % (nd + 1);
      const d0 = s.b % 2 === 0 ? d : d - (nd + 1);
      ch.v = ch.v.unsqueeze(d0);
      ch.shape = [...shape.slice(0, d), 1, ...shape.slice(d)];
      ch.toBase = (idx) => { const o = idx.slice(); o.splice(d, 1); return toBase(o); };
      ch.log.push(`unsqueeze(${d0})`);
      return;
    }
    case 7: { // squeeze all size-1 dims
      const keep = shape.map((v, i) => (v === 1 ? -1 : i)).filter((i) => i >= 0);
      ch.v = ch.v.squeeze();
      ch.shape = keep.map((i) => shape[i]!);
      ch.toBase = (idx) => { const o = new Array<number>(nd).fill(0); keep.forEach((k, j) => { o[k] = idx[j]!; }); return toBase(o); };
      ch.log.push('squeeze()');
      return;
    }
    case 8: { // diagonal
      if (nd < 2) return;
      const d0 = pickDim(s.a);
      const a = norm(d0);
      const b = (a + 1 + (s.b % (nd - 1))) % nd;
      const offset = (s.c % 5) - 2;
      const len = Math.max(0, Math.min(shape[a]! - Math.max(0, -offset), shape[b]! - Math.max(0, offset)));
      ch.v = ch.v.diagonal(offset, d0, b);
      const others = shape.map((_, i) => i).filter((i) => i !== a && i !== b);
      ch.shape = [...others.map((i) => shape[i]!), len];
      ch.toBase = (idx) => {
        const o = new Array<number>(nd);
        others.forEach((k, j) => { o[k] = idx[j]!; });
        const k = idx[idx.length - 1]!;
        o[a] = k + Math.max(0, -offset);
        o[b] = k + Math.max(0, offset);
        return toBase(o);
      };
      ch.log.push(`diagonal(${offset}, ${d0}, ${b})`);
      return;
    }
    case 9: case 10: { // view to a merged or split shape (when the layout allows it)
      if (nd === 0) return;
      const d = s.a % nd;
      let ns: number[];
      if (s.b % 2 === 0 && d + 1 < nd) ns = [...shape.slice(0, d), shape[d]! * shape[d + 1]!, ...shape.slice(d + 2)];
      else {
        const f = [2, 3].find((k) => shape[d]! % k === 0 && shape[d]! > 0);
        if (f === undefined) return;
        ns = [...shape.slice(0, d), f, shape[d]! / f, ...shape.slice(d + 1)];
      }
      let nv: Tensor;
      try {
        nv = ch.v.view(ns);
      } catch (e) {
        // Only a non-contiguous layout may refuse; reshape must then give the same values by copying.
        expect(ch.v.isContiguous()).toBe(false);
        expect(e).toBeInstanceOf(RangeError);
        expect(readElements(ch.v.reshape(ns)).data).toEqual(readElements(ch.v).data);
        return;
      }
      ch.v = nv;
      ch.shape = ns;
      ch.toBase = (idx) => toBase(unravel(ravel(idx, ns), shape));
      ch.log.push(`view(${ns})`);
      return;
    }
    case 11: { // narrow
      if (nd === 0) return;
      const d = s.a % nd;
      const size = shape[d]!;
      const start = s.b % (size + 1);
      const length = s.c % (size - start + 1);
      ch.v = ch.v.narrow(d, start, length);
      ch.shape = shape.map((v, i) => (i === d ? length : v));
      ch.toBase = (idx) => { const o = idx.slice(); o[d] = idx[d]! + start; return toBase(o); };
      ch.log.push(`narrow(${d}, ${start}, ${length})`);
      return;
    }
    case 12: { // expand size-1 dims and add a leading dim
      if (!allowExpand || nd >= 5) return;
      const target = [1 + (s.a % 3), ...shape.map((v, i) => (v === 1 && (s.b >> i) % 2 === 1 ? 1 + (s.c % 3) : v))];
      const arg = target.map((v, i) => (i > 0 && v === shape[i - 1] && s.c % 2 === 0 ? -1 : v));
      ch.v = ch.v.expand(arg);
      ch.shape = target;
      ch.toBase = (idx) => toBase(idx.slice(1).map((v, i) => (shape[i] === 1 ? 0 : v)));
      ch.expanded = true;
      ch.log.push(`expand(${arg})`);
      return;
    }
    default: { // mT / T
      if (nd < 2) return;
      ch.v = ch.v.mT;
      const ns = shape.slice(); [ns[nd - 2], ns[nd - 1]] = [ns[nd - 1]!, ns[nd - 2]!];
      ch.shape = ns;
      ch.toBase = (idx) => { const o = idx.slice(); [o[nd - 2], o[nd - 1]] = [o[nd - 1]!, o[nd - 2]!]; return toBase(o); };
      ch.log.push('mT');
    }
  }
}

function runChain(baseShape: number[], steps: readonly { kind: number; a: number; b: number; c: number }[], allowExpand: boolean): { base: Tensor; ch: Chain } {
  const base = arange(size(baseShape), undefined, 1, { dtype: 'float64' }).view(baseShape);
  const ch: Chain = { v: base, shape: baseShape.slice(), toBase: (idx) => idx, expanded: false, log: [] };
  for (const s of steps) applyStep(ch, s, allowExpand);
  return { base, ch };
}

describe(`views: property tests against index maps (${backend} backend)`, () => {
  it('random chains of view ops read the elements an independent index map predicts, without copying', () => {
    fc.assert(
      fc.property(shapeArb({ maxDims: 4, maxSize: 5 }), fc.array(stepArb, { maxLength: 6 }), (baseShape, steps) => {
        const { base, ch } = runChain(baseShape, steps, true);
        const expected: number[] = [];
        forEachIndex(ch.shape, (idx) => expected.push(ravel(ch.toBase(idx), baseShape)));
        const where = ch.log.join('.');
        expect(ch.v.shape, where).toEqual(ch.shape);
        expect(ch.v.storage, where).toBe(base.storage);
        expect(readElements(ch.v).data, where).toEqual(expected);
        expect(ch.v.toArray(), where).toEqual(toNested({ shape: ch.shape, data: expected }));
        expect(Array.from(ch.v.toTypedArray()), where).toEqual(expected);
        expect(readElements(ch.v.contiguous()).data, where).toEqual(expected);
        expect(ch.v.contiguous().isContiguous(), where).toBe(true);
        expect(Array.from(ch.v.reshape(-1).toTypedArray()), where).toEqual(expected);
      }),
      fcOptions(400),
    );
  });

  it('in-place ops on random views write through to exactly the viewed elements of the base', () => {
    fc.assert(
      fc.property(shapeArb({ maxDims: 4, maxSize: 5 }), fc.array(stepArb, { maxLength: 6 }), fc.integer({ min: 0, max: 4 }), (baseShape, steps, op) => {
        const { base, ch } = runChain(baseShape, steps, false);
        const covered = new Set<number>();
        forEachIndex(ch.shape, (idx) => covered.add(ravel(ch.toBase(idx), baseShape)));
        const version = base.version;
        if (op === 0) ch.v.add_(1000);
        else if (op === 1) ch.v.mul_(-1);
        else if (op === 2) ch.v.fill_(-5);
        else if (op === 3) ch.v.copy_(ch.v.neg());
        else ch.v.zero_();
        const after = base.toTypedArray();
        const where = ch.log.join('.');
        for (let p = 0; p < after.length; p++) {
          const want = !covered.has(p) ? p : op === 0 ? p + 1000 : op === 2 ? -5 : op === 4 ? 0 : -p;
          if (after[p] !== want) expect.fail(`${where}: base[${p}] = ${after[p]}, expected ${want} (op ${op})`);
        }
        expect(base.version).toBeGreaterThan(version);
      }),
      fcOptions(300),
    );
  });

  it('strided tensors built from random layouts hold the values their recipe predicts', () => {
    const arb = shapeArb({ maxDims: 4 }).chain((shape) => fc.tuple(fc.constant(shape), dtypeArb, layoutArb(shape.length), fc.integer()));
    fc.assert(
      fc.property(arb, ([shape, dtype, recipe, seed]) => {
        const b = buildStrided(shape, dtype, recipe, seed);
        expect(b.t.shape).toEqual(shape);
        expect(b.t.dtype).toBe(dtype);
        expect(b.t.storage).toBe(b.base.storage);
        expect(readElements(b.t).data).toEqual(b.expected.data);
        expect(b.t.toArray()).toEqual(toNested(b.expected, dtype));
      }),
      fcOptions(300),
    );
  });
});

describe(`casts: property test (${backend} backend)`, () => {
  it('to(dtype) of random strided views converts element by element', () => {
    const arb = shapeArb().chain((shape) => fc.tuple(fc.constant(shape), dtypeArb, dtypeArb, layoutArb(shape.length), fc.integer()));
    fc.assert(
      fc.property(arb, ([shape, from, to, recipe, seed]) => {
        const b = buildStrided(shape, from, recipe, seed, { kind: 'special' });
        const out = b.t.to(to);
        expect(out.dtype).toBe(to);
        expect(out.shape).toEqual(shape);
        // int32 truncates toward zero (NaN and ±Infinity give 0, as a typed-array store does); bool is "nonzero"
        const want = b.expected.data.map((v) => castTo(to, v));
        const got = readElements(out).data;
        got.forEach((v, i) => {
          if (!(v === want[i] || (Number.isNaN(v) && Number.isNaN(want[i]!)))) expect.fail(`${from}->${to} [${shape}] element ${i}: ${v} != ${want[i]}`);
        });
        if (from === to) expect(out).toBe(b.t);
        else expect(out.storage).not.toBe(b.t.storage);
      }),
      fcOptions(300),
    );
  });
});
