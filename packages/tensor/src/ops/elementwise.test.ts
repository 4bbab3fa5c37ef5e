import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BinaryOp, UnaryOp } from '../backend/backend.js';
import type { DType } from '../dtype.js';
import {
  Tensor, add, arange, binaryOp, clamp, div, erf, full, getBackend, gelu, maximum, minimum, mul, pow, relu, reluBackward, remainder, round, sub,
  tensor, unaryOp, where, zeros,
} from '../index.js';
import {
  castTo, firstDifference, forEachIndex, lcg, type Naive, naiveMap, naiveZip, promote, readElements, sameValue,
} from '../test-utils/naive.js';
import {
  broadcastPairArb, buildStrided, dtypeArb, fcOptions, floatDtypeArb, layoutArb, shapeArb, type ValueKind,
} from '../test-utils/arbitraries.js';

const backend = getBackend().name;

function expectNaive(actual: Tensor, expected: Naive, tol: { rtol?: number; atol?: number } = {}, where = ''): void {
  const diff = firstDifference(readElements(actual), expected, tol);
  if (diff !== null) expect.fail(`${where}: ${diff}`);
}

// ---- independent references ------------------------------------------------------------------

const UNARY_REF: Record<Exclude<UnaryOp, 'identity'>, (x: number) => number> = {
  neg: (x) => -x,
  abs: (x) => (x < 0 ? -x : x === 0 ? 0 : x),
  sign: (x) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : x < 0 ? -1 : 0),
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sqrt: Math.sqrt,
  rsqrt: (x) => (Object.is(x, -0) ? -Infinity : x < 0 ? NaN : Math.pow(x, -0.5)), // 1/sqrt(-0) is -inf in C and PyTorch
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  relu: (x) => (Number.isNaN(x) ? NaN : Math.max(x, 0)),
  gelu: geluRef,
  erf: (x) => erfSeriesOrLimit(x),
  floor: Math.floor,
  ceil: Math.ceil,
  round: (x) => {
    // round half to even, longhand
    const f = Math.floor(x);
    const diff = x - f;
    if (diff < 0.5) return f;
    if (diff > 0.5) return f + 1;
    return f % 2 === 0 ? f : f + 1;
  },
  logicalNot: (x) => (x === 0 ? 1 : 0),
};

/** erf by its Maclaurin series for |x| <= 2.5, else as 1 - erfc by erfc's continued fraction (both to ~1e-14). */
function erfSeriesOrLimit(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax <= 2.5) {
    let term = x, sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  return Math.sign(x) * (1 - erfcContinuedFraction(ax));
}

/** erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), for x > 2. */
function erfcContinuedFraction(x: number): number {
  let t = x;
  for (let k = 300; k >= 1; k--) t = x + k / 2 / t;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / t;
}

/** gelu(x) = x·Φ(x); for x < -2√2 written with erfc so the reference keeps full relative precision. */
function geluRef(x: number): number {
  if (x === -Infinity) return 0;
  if (x < -2.5 * Math.SQRT2) return x * 0.5 * erfcContinuedFraction(-x / Math.SQRT2);
  return x * 0.5 * (1 + erfSeriesOrLimit(x / Math.SQRT2));
}

const KEEPS_INT: ReadonlySet<string> = new Set(['neg', 'abs', 'sign', 'square', 'relu', 'floor', 'ceil', 'round']);
const EXACT_UNARY: ReadonlySet<string> = new Set(['neg', 'abs', 'sign', 'square', 'relu', 'floor', 'ceil', 'round', 'logicalNot', 'sqrt', 'reciprocal']);

function unaryDtype(op: string, d: DType): DType {
  if (op === 'logicalNot') return 'bool';
  if (d === 'float32' || d === 'float64') return d;
  return KEEPS_INT.has(op) ? 'int32' : 'float32';
}

const COMPARISONS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'logicalXor'] as const;
const ARITH = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'remainder', 'atan2'] as const;
const BINARY_OPS: readonly BinaryOp[] = [...ARITH, ...COMPARISONS];

function binaryRef(op: BinaryOp, compute: DType): (x: number, y: number) => number {
  const b = (v: boolean) => (v ? 1 : 0);
  if (compute === 'bool') {
    if (op === 'add' || op === 'maximum') return (x, y) => b(x !== 0 || y !== 0);
    if (op === 'mul' || op === 'minimum') return (x, y) => b(x !== 0 && y !== 0);
  }
  switch (op) {
    case 'add': return (x, y) => x + y;
    case 'sub': return (x, y) => x - y;
    case 'mul': return compute === 'int32' ? Math.imul : (x, y) => x * y;
    case 'div': return (x, y) => x / y;
    case 'pow': return Math.pow;
    case 'maximum': return (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x, y));
    case 'minimum': return (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.min(x, y));
    // PyTorch's definition: fmod, then shifted by the divisor when the signs differ. (x - y·floor(x/y)
    // is the same in exact arithmetic but rounds differently near multiples of y, e.g. 0.5 rem 0.1.)
    case 'remainder': return (x, y) => {
      if (y === 0 || Number.isNaN(x) || Number.isNaN(y) || !Number.isFinite(x)) return NaN;
      const r = x % y;
      return r !== 0 && r < 0 !== y < 0 ? r + y : r;
    };
    case 'atan2': return Math.atan2;
    case 'eq': return (x, y) => b(x === y);
    case 'ne': return (x, y) => b(x !== y);
    case 'lt': return (x, y) => b(x < y);
    case 'le': return (x, y) => b(x <= y);
    case 'gt': return (x, y) => b(x > y);
    case 'ge': return (x, y) => b(x >= y);
    case 'logicalAnd': return (x, y) => b(x !== 0 && y !== 0);
    case 'logicalOr': return (x, y) => b(x !== 0 || y !== 0);
    case 'logicalXor': return (x, y) => b((x !== 0) !== (y !== 0));
  }
}

function binaryDtype(op: BinaryOp, compute: DType): DType {
  if ((COMPARISONS as readonly string[]).includes(op)) return 'bool';
  if ((op === 'div' || op === 'atan2') && (compute === 'int32' || compute === 'bool')) return 'float32';
  return compute;
}

function scalarCompute(t: DType, s: number | boolean): DType {
  if (typeof s === 'boolean') return t;
  if (Number.isInteger(s)) return t === 'bool' ? 'int32' : t;
  return t === 'bool' || t === 'int32' ? 'float32' : t;
}

/** Ops the library refuses for a compute dtype (checked separately in the error tests). */
function refused(op: BinaryOp, compute: DType): boolean {
  return compute === 'bool' && (op === 'sub' || op === 'pow' || op === 'remainder');
}

/** Remainder through floor() can differ from the fmod-based definition by an ulp; compare it loosely. */
function tolFor(op: string, dtype: DType): { rtol: number; atol: number } {
  // gelu is x/2·(1 + erf(x/√2)) as in PyTorch: for x << 0 the sum cancels, leaving ~1e-16 absolute error.
  if (op === 'gelu') return dtype === 'float32' ? { rtol: 2e-7, atol: 1e-15 } : { rtol: 1e-13, atol: 1e-14 };
  if (op === 'remainder') return dtype === 'float32' ? { rtol: 1e-6, atol: 1e-6 } : { rtol: 1e-12, atol: 1e-12 };
  if (EXACT_UNARY.has(op) || (BINARY_OPS as readonly string[]).includes(op) && op !== 'pow' && op !== 'atan2') return { rtol: 0, atol: 0 };
  return dtype === 'float32' ? { rtol: 2e-7, atol: 1e-37 } : { rtol: 1e-13, atol: 1e-300 };
}

// ---- hand-derived values ---------------------------------------------------------------------

describe(`elementwise: values (${backend} backend)`, () => {
  it('arithmetic with tensors and scalars, on either side', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(a.add(tensor([10, 20, 30])).toArray()).toEqual([[11, 22, 33], [14, 25, 36]]);
    expect(a.sub(1).toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(sub(10, a).toArray()).toEqual([[9, 8, 7], [6, 5, 4]]);
    expect(a.mul(tensor([[2], [3]])).toArray()).toEqual([[2, 4, 6], [12, 15, 18]]);
    expect(div(1, tensor([2, 4])).toArray()).toEqual([0.5, 0.25]);
    expect(a.div(2).dtype).toBe('float32');
    expect(a.div(2).toArray()).toEqual([[0.5, 1, 1.5], [2, 2.5, 3]]);
    expect(pow(2, tensor([0, 1, 10])).toArray()).toEqual([1, 2, 1024]);
    expect(tensor([2, 3]).pow(2).toArray()).toEqual([4, 9]);
    expect(tensor([4.0, 9.0]).pow(0.5).toArray()).toEqual([2, 3]);
    expect(add(a, a, 2).toArray()).toEqual([[3, 6, 9], [12, 15, 18]]);
    expect(a.add(1, 3).toArray()).toEqual([[4, 5, 6], [7, 8, 9]]);
    expect(a.sub(a, 0.5).toArray()).toEqual([[0.5, 1, 1.5], [2, 2.5, 3]]);
    expect(a.sub(1, 2).toArray()).toEqual([[-1, 0, 1], [2, 3, 4]]);
  });

  it('remainder takes the sign of the divisor (Python modulo)', () => {
    expect(remainder(tensor([-3, 3, -3, 3, 7]), tensor([5, 5, -5, -5, 7])).toArray()).toEqual([2, 3, -3, -2, 0]);
    expect(tensor([-3.5, 3.5, 5.25]).remainder(2).toArray()).toEqual([0.5, 1.5, 1.25]);
    expect(tensor([-1.5]).remainder(-1).toArray()).toEqual([-0.5]);
    expect(remainder(7, tensor([3, -3])).toArray()).toEqual([1, -2]);
  });

  it('maximum/minimum propagate NaN; atan2 handles quadrants', () => {
    expect(maximum(tensor([1, NaN, 3]), tensor([2, 0, NaN])).toArray()).toEqual([2, NaN, NaN]);
    expect(minimum(tensor([1, NaN, -3.5]), tensor([2, 0, 1])).toArray()).toEqual([1, NaN, -3.5]);
    expect(tensor([1, 5]).maximum(3).toArray()).toEqual([3, 5]);
    expect(tensor([1, 1, -1, -1], { dtype: 'float64' }).atan2(tensor([1, -1, -1, 1], { dtype: 'float64' })).toArray())
      .toEqual([Math.PI / 4, (3 * Math.PI) / 4, (-3 * Math.PI) / 4, -Math.PI / 4]);
  });

  it('comparisons and logical ops give bool', () => {
    const a = tensor([1, 2, 3]);
    expect(a.eq(2).toArray()).toEqual([false, true, false]);
    expect(a.ne(tensor([1, 0, 3])).toArray()).toEqual([false, true, false]);
    expect(a.lt(2).toArray()).toEqual([true, false, false]);
    expect(a.le(2).toArray()).toEqual([true, true, false]);
    expect(a.gt(2.5).toArray()).toEqual([false, false, true]);
    expect(a.ge(tensor([[3], [1]])).toArray()).toEqual([[false, false, true], [true, true, true]]);
    expect(a.gt(2).dtype).toBe('bool');
    expect(tensor([NaN]).eq(tensor([NaN])).item()).toBe(false);
    expect(tensor([NaN]).ne(NaN).toArray()).toEqual([true]);
    const t = tensor([true, true, false, false]);
    const u = tensor([true, false, true, false]);
    expect(t.logicalAnd(u).toArray()).toEqual([true, false, false, false]);
    expect(t.logicalOr(u).toArray()).toEqual([true, true, true, false]);
    expect(t.logicalXor(u).toArray()).toEqual([false, true, true, false]);
    expect(t.logicalNot().toArray()).toEqual([false, false, true, true]);
    expect(tensor([0, 2.5, -1]).logicalNot().toArray()).toEqual([true, false, false]);
    expect(tensor([0, 2]).logicalAnd(1).toArray()).toEqual([false, true]);
  });

  it('bool arithmetic is logic (True + True is True)', () => {
    const t = tensor([true, true, false]);
    const u = tensor([true, false, false]);
    expect(t.add(u).toArray()).toEqual([true, true, false]);
    expect(t.add(u).dtype).toBe('bool');
    expect(t.mul(u).toArray()).toEqual([true, false, false]);
    expect(t.add(1).dtype).toBe('int32');
    expect(t.add(1).toArray()).toEqual([2, 2, 1]);
    expect(t.add(true).dtype).toBe('bool');
    expect(t.div(u).toArray()).toEqual([1, Infinity, NaN]);
    expect(t.maximum(u).toArray()).toEqual([true, true, false]);
  });

  it('unary math matches hand-derived values', () => {
    const f = (xs: number[]) => tensor(xs, { dtype: 'float64' });
    expect(f([-2, 0, 3]).neg().toArray()).toEqual([2, -0, -3]);
    expect(f([-2, 0, 3]).abs().toArray()).toEqual([2, 0, 3]);
    expect(f([-2, 0, 3, NaN]).sign().toArray()).toEqual([-1, 0, 1, NaN]);
    expect(f([0, 1]).exp().toArray()).toEqual([1, Math.E]);
    expect(f([1, Math.E, 0, -1]).log().toArray()).toEqual([0, 1, -Infinity, NaN]);
    expect(f([1e-20]).log1p().item()).toBe(1e-20);
    expect(f([1e-20]).expm1().item()).toBe(1e-20);
    expect(f([4, 0, -1]).sqrt().toArray()).toEqual([2, 0, NaN]);
    expect(f([4, 0]).rsqrt().toArray()).toEqual([0.5, Infinity]);
    expect(f([-3]).square().toArray()).toEqual([9]);
    expect(f([4, 0, -0]).reciprocal().toArray()).toEqual([0.25, Infinity, -Infinity]);
    expect(f([0, Math.PI / 2]).sin().toArray()).toEqual([0, 1]);
    expect(f([0, Math.PI]).cos().toArray()).toEqual([1, -1]);
    expect(f([0, 1000, -1000]).tanh().toArray()).toEqual([0, 1, -1]);
    expect(f([0, 1000, -1000, -745.2]).sigmoid().toArray()).toEqual([0.5, 1, 0, 1 / (1 + Math.exp(745.2))]);
    expect(f([-1, 0, 2, NaN]).relu().toArray()).toEqual([0, 0, 2, NaN]);
    expect(f([-1.5, 1.5, -0.2]).floor().toArray()).toEqual([-2, 1, -1]);
    expect(f([-1.5, 1.5, 0.2]).ceil().toArray()).toEqual([-1, 2, 1]);
  });

  it('round rounds half to even', () => {
    expect(round(tensor([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6, -2.6], { dtype: 'float64' })).toArray())
      .toEqual([0, 2, 2, -0, -2, -2, 2, 3, -3]);
    expect(tensor([0.49999997]).round().item()).toBe(0);
    expect(tensor([4503599627370497], { dtype: 'float64' }).round().item()).toBe(4503599627370497);
  });

  it('erf and gelu match tabulated values across every branch of the algorithm', () => {
    const table: [number, number][] = [
      [0, 0], [1e-10, 1.1283791670955126e-10], [0.1, 0.1124629160182849], [0.5, 0.5204998778130465],
      [0.84375, 0.7672256612323416], [1, 0.8427007929497149], [1.1, 0.8802050695740817], [2, 0.9953222650189527],
      [2.5, 0.999593047982555], [3, 0.9999779095030014], [3.5, 0.9999992569016276], [5, 0.9999999999984626], [7, 1],
    ];
    const xs = table.flatMap(([x]) => [x, -x]);
    const got = erf(tensor(xs, { dtype: 'float64' })).toArray() as number[];
    table.forEach(([, v], i) => {
      expect(got[2 * i]).toBeCloseTo(v, 15);
      expect(got[2 * i + 1]).toBeCloseTo(-v, 15);
    });
    expect(erf(tensor([Infinity, -Infinity, NaN])).toArray()).toEqual([1, -1, NaN]);
    // gelu(x) = x Φ(x); Φ(1) = 0.8413447460685429, Φ(-1) = 0.15865525393145707
    const g = gelu(tensor([1, -1, 0, 10, -10], { dtype: 'float64' })).toArray() as number[];
    expect(g[0]).toBeCloseTo(0.8413447460685429, 15);
    expect(g[1]).toBeCloseTo(-0.15865525393145707, 15);
    expect(g[2]).toBe(0);
    expect(g[3]).toBe(10);
    expect(Math.abs(g[4]!)).toBeLessThan(1e-20);
  });

  it('erf agrees with its power series on [-2.5, 2.5]', () => {
    const xs = Array.from({ length: 501 }, (_, i) => -2.5 + i * 0.01);
    const got = erf(tensor(xs, { dtype: 'float64' })).toArray() as number[];
    xs.forEach((x, i) => expect(Math.abs(got[i]! - erfSeriesOrLimit(x))).toBeLessThan(1e-14));
  });

  it('float32 results are float32-rounded', () => {
    const a = tensor([0.1]);
    expect(a.item()).toBe(Math.fround(0.1));
    expect(a.add(0.2).item()).toBe(Math.fround(Math.fround(0.1) + Math.fround(0.2)));
    expect(a.mul(a).item()).toBe(Math.fround(Math.fround(0.1) * Math.fround(0.1)));
    expect(a.exp().item()).toBe(Math.fround(Math.exp(Math.fround(0.1))));
    expect(tensor([1, 3]).div(tensor([3, 7])).toArray()).toEqual([Math.fround(1 / 3), Math.fround(3 / 7)]);
    expect(tensor([1e30]).mul(1e30).item()).toBe(Infinity);
  });

  it('scalars take the dtype of the computation, as in PyTorch', () => {
    // float32(0.1) == 0.1 is true in PyTorch: the scalar is cast to float32 first
    expect(tensor([0.1]).eq(0.1).item()).toBe(true);
    expect(tensor([0.1], { dtype: 'float64' }).eq(0.1).item()).toBe(true);
    expect(tensor([0.1], { dtype: 'float64' }).eq(Math.fround(0.1)).item()).toBe(false);
    expect(tensor([0.1]).sub(0.1).item()).toBe(0);
    // an int32 operand is cast to float32 before a float32 computation
    expect(tensor([16777217]).eq(tensor([16777216.0], { dtype: 'float32' })).item()).toBe(true);
    expect(tensor([16777217]).eq(16777216.5).item()).toBe(true);
  });

  it('int32 arithmetic wraps around in two\'s complement', () => {
    expect(tensor([2147483647]).add(1).item()).toBe(-2147483648);
    expect(tensor([-2147483648]).sub(tensor([1])).item()).toBe(2147483647);
    expect(tensor([123456789]).mul(987654321).item()).toBe(Math.imul(123456789, 987654321));
    expect(tensor([123456789]).mul(tensor([987654321])).item()).toBe(Math.imul(123456789, 987654321));
    expect(tensor([123456789]).square().item()).toBe(Math.imul(123456789, 123456789));
    expect(tensor([-2147483648]).neg().item()).toBe(-2147483648);
    expect(tensor([7, -7]).mul(3).dtype).toBe('int32');
  });

  it('result dtypes follow promotion', () => {
    const i = tensor([1, 2]);
    const f = tensor([1.5, 2.5]);
    const d = tensor([1, 2], { dtype: 'float64' });
    const b = tensor([true, false]);
    expect(i.add(f).dtype).toBe('float32');
    expect(f.add(d).dtype).toBe('float64');
    expect(i.add(b).dtype).toBe('int32');
    expect(b.mul(f).dtype).toBe('float32');
    expect(i.add(1.5).dtype).toBe('float32');
    expect(i.add(1).dtype).toBe('int32');
    expect(f.add(1).dtype).toBe('float32');
    expect(i.exp().dtype).toBe('float32');
    expect(d.exp().dtype).toBe('float64');
    expect(i.abs().dtype).toBe('int32');
    expect(b.logicalNot().dtype).toBe('bool');
    expect(i.sqrt().toArray()).toEqual([1, Math.fround(Math.SQRT2)]);
  });

  it('where selects with broadcasting across all three operands', () => {
    const c = tensor([[true], [false]]);
    expect(where(c, tensor([1, 2, 3]), tensor([10, 20, 30])).toArray()).toEqual([[1, 2, 3], [10, 20, 30]]);
    expect(where(c, 1, 0).toArray()).toEqual([[1], [0]]);
    expect(where(c, 1, 0).dtype).toBe('int32');
    expect(where(c, 1.5, 0).dtype).toBe('float32');
    expect(where(c, true, false).dtype).toBe('bool');
    expect(where(c, tensor([1, 2], { dtype: 'float64' }), 0).dtype).toBe('float64');
    expect(where(c, tensor([1, 2]), 0.5).dtype).toBe('float32');
    expect(where(c, tensor([1, 2]), tensor([0.5])).toArray()).toEqual([[1, 2], [0.5, 0.5]]);
    expect(tensor([5, 6]).where(tensor([true, false]), -1).toArray()).toEqual([5, -1]);
  });

  it('clamp bounds either or both sides; min > max gives max; NaN passes through', () => {
    const x = tensor([-2, 0.5, 3, NaN]);
    expect(clamp(x, -1, 1).toArray()).toEqual([-1, 0.5, 1, NaN]);
    expect(x.clamp(0).toArray()).toEqual([0, 0.5, 3, NaN]);
    expect(x.clamp(null, 0).toArray()).toEqual([-2, 0, 0, NaN]);
    expect(x.clamp(2, 1).toArray()).toEqual([1, 1, 1, NaN]);
    expect(tensor([1, 5]).clamp(2, 4).dtype).toBe('int32');
    expect(tensor([1, 5]).clamp(2.5).dtype).toBe('float32');
    expect(tensor([1, 5]).clamp(2.5).toArray()).toEqual([2.5, 5]);
    expect(tensor([0.05]).clamp(0.1).item()).toBe(Math.fround(0.1));
  });
});

describe(`elementwise: errors (${backend} backend)`, () => {
  it('a shape mismatch names both shapes', () => {
    expect(() => tensor([1, 2, 3]).add(tensor([1, 2]))).toThrow(RangeError);
    expect(() => tensor([1, 2, 3]).add(tensor([1, 2]))).toThrow('shapes [3] and [2] cannot be broadcast together (dimension 0: 3 vs 2)');
    expect(() => zeros(2, 3).mul(zeros(3, 2))).toThrow(/shapes \[2, 3\] and \[3, 2\]/);
    expect(() => where(tensor([true, false]), zeros(3), 0)).toThrow(/\[2\] and \[3\]/);
  });

  it('bad operands are TypeErrors naming the argument', () => {
    expect(() => tensor([1]).add('1' as never)).toThrow(TypeError);
    expect(() => tensor([1]).add('1' as never)).toThrow('add: other must be a Tensor, a number or a boolean, got string');
    expect(() => tensor([1]).mul([1] as never)).toThrow(/mul: other .* got an array/);
    expect(() => add(1, 2 as never)).toThrow(/add: when input is a scalar, other must be a Tensor, got number/);
    expect(() => tensor([1]).add(1, 'x' as never)).toThrow(/alpha must be a number/);
    expect(() => unaryOp('exp', [1] as never)).toThrow(/exp must be a Tensor, got an array/);
    expect(() => tensor([1]).add_(null as never)).toThrow(/add_: other .* got null/);
  });

  it('bool subtraction, negation, pow and remainder are refused', () => {
    const b = tensor([true, false]);
    expect(() => b.sub(b)).toThrow(TypeError);
    expect(() => b.sub(b)).toThrow(/subtraction of bool tensors is not supported/);
    expect(() => b.neg()).toThrow(/negation of a bool tensor is not supported; use logicalNot\(\)/);
    expect(() => b.pow(b)).toThrow(/pow is not supported for bool tensors/);
    expect(() => b.remainder(true)).toThrow(TypeError);
  });

  it('integer tensors to negative integer scalar powers are refused', () => {
    expect(() => tensor([2]).pow(-1)).toThrow(RangeError);
    expect(() => tensor([2]).pow(-1)).toThrow(/integers to negative integer powers are not allowed \(exponent -1\)/);
    expect(tensor([2]).pow(-1.5).dtype).toBe('float32');
    expect(tensor([2], { dtype: 'float32' }).pow(-1).item()).toBe(0.5);
  });

  it('where needs a bool condition; clamp needs a bound', () => {
    expect(() => where(tensor([1, 0]), 1, 0)).toThrow('where: condition must be a bool tensor, got int32');
    expect(() => where(tensor([true]), 'a' as never, 0)).toThrow(/where: input must be a Tensor, a number or a boolean, got string/);
    expect(() => clamp(tensor([1]))).toThrow('clamp: at least one of min or max must be given');
    expect(() => tensor([1.5]).clamp('0' as never)).toThrow(/clamp: min must be a number/);
    expect(() => tensor([1.5]).clamp(NaN)).toThrow(TypeError);
    expect(() => tensor([true]).clamp(0, 1)).toThrow(/not supported for bool tensors/);
  });
});

// ---- in-place --------------------------------------------------------------------------------

describe(`elementwise: in-place (${backend} backend)`, () => {
  it('in-place ops return self and write through views into the base', () => {
    const base = arange(12, undefined, 1, { dtype: 'float32' }).view(3, 4);
    const col = base.select(1, 2);
    expect(col.add_(100)).toBe(col);
    expect(base.toArray()).toEqual([[0, 1, 102, 3], [4, 5, 106, 7], [8, 9, 110, 11]]);
    base.T.slice(0, 0, 4, 3).mul_(tensor([[-1], [10]]));
    expect(base.toArray()).toEqual([[-0, 1, 102, 30], [-4, 5, 106, 70], [-8, 9, 110, 110]]);
    base.diagonal().neg_();
    expect(base.diagonal().toArray()).toEqual([0, -5, -110]); // -(-0) is 0
    base.narrow(0, 1, 1).clamp_(0, 50);
    expect(base.select(0, 1).toArray()).toEqual([0, 0, 50, 50]);
    base.sub_(1, 2);
    expect(base.select(0, 0).toArray()).toEqual([-2, -1, 100, 28]);
    const c = tensor([1.5, -2.5]);
    expect(c.abs_().toArray()).toEqual([1.5, 2.5]);
    expect(c.sqrt_().toArray()).toEqual([Math.fround(Math.sqrt(1.5)), Math.fround(Math.sqrt(2.5))]);
    const d = tensor([-1, 2, 0.5]);
    d.relu_().square_().reciprocal_();
    expect(d.toArray()).toEqual([Infinity, 0.25, 4]);
  });

  it('every in-place unary method matches its out-of-place op', () => {
    const ops = ['neg', 'abs', 'exp', 'log', 'sqrt', 'square', 'reciprocal', 'sin', 'cos', 'tanh', 'sigmoid', 'relu', 'floor', 'ceil', 'round'] as const;
    for (const op of ops) {
      const x = tensor([[0.3, -1.7], [2.5, 4]], { dtype: 'float64' });
      const expected = (x[op] as () => Tensor).call(x).toArray();
      const y = x.clone();
      (y[`${op}_`] as () => Tensor).call(y.T);
      expect(y.toArray(), op).toEqual(expected);
    }
    for (const op of ['mul', 'div', 'pow', 'maximum', 'minimum', 'remainder'] as const) {
      const x = tensor([[3, -1.5], [2.5, 4]], { dtype: 'float64' });
      const o = tensor([2, -0.5], { dtype: 'float64' });
      const expected = (x[op] as (o: Tensor) => Tensor).call(x, o).toArray();
      (x[`${op}_`] as (o: Tensor) => Tensor).call(x, o);
      expect(x.toArray(), op).toEqual(expected);
    }
  });

  it('reads a source that aliases the destination before writing it', () => {
    const x = arange(9, undefined, 1, { dtype: 'float64' }).view(3, 3);
    x.add_(x.T);
    expect(x.toArray()).toEqual([[0, 4, 8], [4, 8, 12], [8, 12, 16]]);
    const y = arange(9, undefined, 1, { dtype: 'float64' }).view(3, 3);
    y.sub_(y.select(0, 0));
    expect(y.toArray()).toEqual([[0, 0, 0], [3, 3, 3], [6, 6, 6]]);
    const z = arange(6, undefined, 1, { dtype: 'float64' });
    z.slice(0, 1).mul_(z.slice(0, 0, 5));
    expect(z.toArray()).toEqual([0, 0, 2, 6, 12, 20]);
    const w = tensor([1.5, 2]);
    w.mul_(w);
    expect(w.toArray()).toEqual([2.25, 4]);
  });

  it('refuses to write into an expanded view, whose elements share memory', () => {
    const e = zeros(1).expand(3);
    expect(() => e.add_(1)).toThrow(RangeError);
    expect(() => e.add_(1)).toThrow(/more than one element of the written-to tensor refers to a single memory location \(shape \[3\], strides \[0\]/);
    expect(() => e.exp_()).toThrow(RangeError);
    expect(() => e.clamp_(0, 1)).toThrow(RangeError);
    // a size-1 expanded dim is fine
    expect(zeros(2, 1).expand(2, 1).add_(1).toArray()).toEqual([[1], [1]]);
  });

  it('in-place results must fit self: dtype and shape errors say why', () => {
    const i = tensor([1, 2]);
    expect(() => i.add_(0.5)).toThrow(TypeError);
    expect(() => i.add_(0.5)).toThrow("add_: result type float32 can't be cast to the tensor's dtype int32");
    expect(() => i.div_(2)).toThrow(/div_: result type float32/);
    expect(() => i.exp_()).toThrow("exp_: result type float32 can't be cast to the tensor's dtype int32");
    expect(() => tensor([true]).add_(1)).toThrow(/result type int32 can't be cast to the tensor's dtype bool/);
    expect(() => i.clamp_(0.5)).toThrow(/clamp_: result type float32 can't be cast to the tensor's dtype int32/);
    expect(() => zeros(3).add_(zeros(2, 3))).toThrow(RangeError);
    expect(() => zeros(3).add_(zeros(2, 3))).toThrow("add_: output with shape [3] doesn't match the broadcast shape [2, 3] (other has shape [2, 3])");
    // float64 into float32 is allowed (cast), as in PyTorch
    const f = tensor([1.5]);
    f.add_(tensor([0.1], { dtype: 'float64' }));
    expect(f.item()).toBe(Math.fround(1.5 + 0.1));
    const j = tensor([5]);
    j.mul_(tensor([true]));
    expect(j.item()).toBe(5);
  });
});

// ---- property tests --------------------------------------------------------------------------

const unaryOps = Object.keys(UNARY_REF) as (keyof typeof UNARY_REF)[];

describe(`elementwise: property tests against a naive reference (${backend} backend)`, () => {
  it('unary ops on random strided views', () => {
    const arb = shapeArb().chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        dtype: dtypeArb,
        recipe: layoutArb(shape.length),
        seed: fc.integer(),
        op: fc.constantFrom(...unaryOps),
        kind: fc.constantFrom<ValueKind>('grid', 'real', 'special'),
      }),
    );
    fc.assert(
      fc.property(arb, ({ shape, dtype, recipe, seed, op, kind }) => {
        if (op === 'neg' && dtype === 'bool') return;
        const { t, expected } = buildStrided(shape, dtype, recipe, seed, { kind });
        const out = unaryOp(op, t);
        const outType = unaryDtype(op, dtype);
        expect(out.dtype).toBe(outType);
        expect(out.shape).toEqual(shape);
        expect(out.isContiguous()).toBe(true);
        const ref = naiveMap(expected, (x) => castTo(outType, UNARY_REF[op](x)));
        expectNaive(out, ref, tolFor(op, outType), `${op} ${dtype} [${shape}]`);
      }),
      fcOptions(500),
    );
  });

  it('binary ops on random broadcast pairs of strided views with mixed dtypes', () => {
    const arb = broadcastPairArb().chain(([sa, sb]) =>
      fc.record({
        sa: fc.constant(sa), sb: fc.constant(sb),
        da: dtypeArb, db: dtypeArb,
        ra: layoutArb(sa.length), rb: layoutArb(sb.length),
        seed: fc.integer(),
        op: fc.constantFrom(...BINARY_OPS),
        kind: fc.constantFrom<ValueKind>('grid', 'real', 'special', 'small'),
      }),
    );
    fc.assert(
      fc.property(arb, ({ sa, sb, da, db, ra, rb, seed, op, kind }) => {
        const compute = promote(da, db);
        const a = buildStrided(sa, da, ra, seed, { kind: op === 'pow' ? 'small' : kind });
        const b = buildStrided(sb, db, rb, seed + 1, { kind: op === 'pow' ? 'small' : kind });
        if (refused(op, compute)) {
          expect(() => binaryOp(op, a.t, b.t)).toThrow(TypeError);
          return;
        }
        const out = binaryOp(op, a.t, b.t);
        const outType = binaryDtype(op, compute);
        expect(out.dtype).toBe(outType);
        const f = binaryRef(op, compute);
        const ref = naiveZip([a.expected, b.expected], (x, y) => castTo(outType, f(castTo(compute, x), castTo(compute, y))));
        expect(out.shape).toEqual(ref.shape);
        expectNaive(out, ref, tolFor(op, outType), `${op} ${da}[${sa}] ${db}[${sb}]`);
      }),
      fcOptions(600),
    );
  });

  it('binary ops with a scalar on either side', () => {
    const scalarArb = fc.oneof(fc.integer({ min: -4, max: 4 }), fc.integer({ min: -16, max: 16 }).map((k) => k / 4 + 0.1), fc.boolean());
    const arb = shapeArb().chain((shape) =>
      fc.record({
        shape: fc.constant(shape), dtype: dtypeArb, recipe: layoutArb(shape.length), seed: fc.integer(),
        op: fc.constantFrom(...BINARY_OPS), s: scalarArb, reverse: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(arb, ({ shape, dtype, recipe, seed, op, s, reverse }) => {
        const compute = scalarCompute(dtype, s);
        const a = buildStrided(shape, dtype, recipe, seed, { kind: 'small' });
        const call = () => (reverse ? binaryOp(op, s, a.t) : binaryOp(op, a.t, s));
        if (refused(op, compute)) { expect(call).toThrow(TypeError); return; }
        if (op === 'pow' && !reverse && compute === 'int32' && typeof s === 'number' && s < 0) { expect(call).toThrow(RangeError); return; }
        const out = call();
        const outType = binaryDtype(op, compute);
        expect(out.dtype).toBe(outType);
        const f = binaryRef(op, compute);
        const sv = castTo(compute, +s);
        const ref = naiveMap(a.expected, (x) => castTo(outType, reverse ? f(sv, castTo(compute, x)) : f(castTo(compute, x), sv)));
        expectNaive(out, ref, tolFor(op, outType), `${reverse ? `${s} ${op} t` : `t ${op} ${s}`} ${dtype}[${shape}]`);
      }),
      fcOptions(500),
    );
  });

  it('in-place binary ops into random views write exactly the viewed elements of the base', () => {
    const ops: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'];
    const arb = shapeArb().chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        otherShape: fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length })
          .chain((ones) => fc.integer({ min: 0, max: shape.length }).map((k) => shape.slice(shape.length - k).map((d, i) => (ones[i] ? 1 : d)))),
        self: floatDtypeArb, other: dtypeArb,
        r1: layoutArb(shape.length), r2: layoutArb(shape.length), seed: fc.integer(),
        op: fc.constantFrom(...ops),
      }),
    );
    fc.assert(
      fc.property(arb, ({ shape, otherShape, self, other, r1, r2, seed, op }) => {
        const a = buildStrided(shape, self, r1, seed, { allowExpand: false });
        const b = buildStrided(otherShape, other, r2, seed + 7);
        const before = Array.from(a.base.storage.data);
        const compute = promote(self, other);
        const f = binaryRef(op, compute);
        const ref = naiveZip([a.expected, b.expected], (x, y) => castTo(self, f(castTo(compute, x), castTo(compute, y))));
        binaryOp(op, a.t, b.t); // warm the out-of-place path too
        const r = (a.t as unknown as Record<string, (o: Tensor) => Tensor>)[`${op}_`]!.call(a.t, b.t);
        expect(r).toBe(a.t);
        expectNaive(a.t, ref, {}, `${op}_ ${self}[${shape}] ${other}[${otherShape}]`);
        const after = a.base.storage.data;
        const covered = new Set(a.basePositions);
        for (let p = 0; p < before.length; p++) if (!covered.has(p) && !sameValue(after[p]!, before[p]!)) expect.fail(`base[${p}] changed outside the view`);
      }),
      fcOptions(400),
    );
  });

  it('where and clamp on random broadcast strided operands', () => {
    const arb = broadcastPairArb({ maxDims: 3 }).chain(([sa, sb]) =>
      fc.record({
        sa: fc.constant(sa), sb: fc.constant(sb), sc: shapeArb({ maxDims: 2, maxSize: 3 }),
        da: dtypeArb, db: dtypeArb, ra: layoutArb(sa.length), rb: layoutArb(sb.length), seed: fc.integer(),
        lo: fc.integer({ min: -6, max: 6 }), hi: fc.integer({ min: -6, max: 6 }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ sa, sb, sc, da, db, ra, rb, seed, lo, hi }) => {
        const a = buildStrided(sa, da, ra, seed);
        const b = buildStrided(sb, db, rb, seed + 1);
        const condShape = sc.map((d, i) => (i < sc.length ? 1 : d));
        const rnd = lcg(seed);
        const cond = Tensor.empty(condShape, 'bool');
        const cd: number[] = [];
        forEachIndex(condShape, () => cd.push(rnd() < 0.5 ? 1 : 0));
        cond.storage.data.set(cd);
        const compute = promote(da, db);
        const out = where(cond, a.t, b.t);
        expect(out.dtype).toBe(compute);
        const ref = naiveZip([{ shape: condShape, data: cd }, a.expected, b.expected], (c, x, y) => castTo(compute, c !== 0 ? x : y));
        expectNaive(out, ref, {}, 'where');
        if (da !== 'bool') {
          const lo2 = lo / 2;
          const c = clamp(a.t, lo2, hi);
          const outType = da === 'int32' && !Number.isInteger(lo2) ? 'float32' : da;
          expect(c.dtype).toBe(outType);
          expectNaive(c, naiveMap(a.expected, (x) => (Number.isNaN(x) ? NaN : lo2 > hi ? hi : Math.min(Math.max(x, lo2), hi))), {}, `clamp(${lo2}, ${hi})`);
        }
      }),
      fcOptions(300),
    );
  });

  it('a mutation of the reference would be caught (sanity check of the harness)', () => {
    const t = full([3], 2.5);
    const ref = naiveMap(readElements(t), (x) => x + 1);
    expect(firstDifference(readElements(t.add(1)), ref)).toBeNull();
    expect(firstDifference(readElements(t.add(1.5)), ref)).not.toBeNull();
    expect(mul(tensor([2]), 3).item()).toBe(6);
  });
});

describe('relu and reluBackward fast paths agree with the select', () => {
  const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-40, 2, -2];
  /** n values: specials first (when asked), then a seeded mix of signs. */
  function values(n: number, withSpecials: boolean, seed: number): number[] {
    const next = lcg(seed);
    return Array.from({ length: n }, (_, i) => (withSpecials && i < specials.length ? specials[i]! : next() * 2 - 1));
  }
  const select = (x: number) => (x > 0 || x !== x ? x : 0);
  for (const dtype of ['float32', 'float64'] as const) {
    for (const n of [7, 3000]) {
      for (const withSpecials of [false, true]) {
        it(`${dtype}, ${n} elements${withSpecials ? ', NaN/±Inf/±0' : ''}: contiguous, offset, transposed and in place`, () => {
          const xs = values(n + 1, withSpecials, n);
          const base = tensor(xs, { dtype });
          const views = [base.slice(0, 0, n), base.slice(0, 1, n + 1), base.slice(0, 0, n - (n % 2)).view([2, (n - (n % 2)) / 2]).t()];
          for (const x of views) {
            const got = readElements(relu(x)).data;
            const want = readElements(x).data.map((v) => castTo(dtype, select(v)));
            // Exact, zero signs included: relu(-0) is +0.
            got.forEach((v, i) => expect(Object.is(v, want[i]), `relu [${i}]: ${v} vs ${want[i]}`).toBe(true));
            const g = tensor(values(x.shape.reduce((p, d) => p * d, 1), withSpecials, 7), { dtype }).view(x.shape);
            const y = relu(x);
            const gb = readElements(reluBackward(g, y)).data;
            const gv = readElements(g).data, yv = readElements(y).data;
            gb.forEach((v, i) => expect(sameValue(v, yv[i]! > 0 ? gv[i]! : 0), `reluBackward [${i}]: ${v}`).toBe(true));
          }
          const inPlace = base.clone();
          inPlace.relu_();
          expect(firstDifference(readElements(inPlace), { shape: [n + 1], data: readElements(base).data.map((v) => castTo(dtype, select(v))) })).toBeNull();
        });
      }
    }
  }

  it('reluBackward checks shapes and dtypes', () => {
    expect(() => reluBackward(zeros([2, 3]), zeros([3, 2]))).toThrow(/grad has shape \[2, 3\] but y has shape \[3, 2\]/);
    expect(() => reluBackward(zeros([2]), zeros([2], { dtype: 'float64' }))).toThrow(TypeError);
    expect(() => reluBackward(zeros([2], { dtype: 'int32' }), zeros([2], { dtype: 'int32' }))).toThrow(TypeError);
  });
});
