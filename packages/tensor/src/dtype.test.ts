import { describe, expect, it } from 'vitest';
import { DTYPES, allocBuffer, allocUninit, assertDType, castScalar, dtypeOfBuffer, isFloating, promoteTypes, promoteWithScalar } from './dtype.js';
import { Tensor } from './tensor.js';
import { castTo, promote } from './test-utils/naive.js';

describe('dtypes', () => {
  it('allocates a zeroed buffer of the right class for each dtype', () => {
    expect(allocBuffer('float32', 3)).toEqual(new Float32Array(3));
    expect(allocBuffer('float64', 2)).toBeInstanceOf(Float64Array);
    expect(allocBuffer('int32', 2)).toBeInstanceOf(Int32Array);
    expect(allocBuffer('bool', 2)).toBeInstanceOf(Uint8Array);
    for (const d of DTYPES) expect(dtypeOfBuffer(allocBuffer(d, 1))).toBe(d);
  });

  it('refuses typed arrays it has no dtype for, naming the class', () => {
    expect(() => dtypeOfBuffer(new Int16Array(2) as unknown as Float32Array)).toThrow(TypeError);
    expect(() => dtypeOfBuffer(new Int16Array(2) as unknown as Float32Array)).toThrow(/Int16Array/);
  });

  it('isFloating', () => {
    expect(DTYPES.filter(isFloating)).toEqual(['float32', 'float64']);
  });

  it('assertDType accepts the four dtypes and names the bad value otherwise', () => {
    for (const d of DTYPES) expect(assertDType(d)).toBe(d);
    expect(() => assertDType('int64')).toThrow(TypeError);
    expect(() => assertDType('int64')).toThrow('dtype must be one of float32, float64, int32, bool; got "int64"');
    expect(() => assertDType(undefined, 'opts.dtype')).toThrow(/opts\.dtype must be one of/);
  });

  it('promotes pairs of tensor dtypes as PyTorch does (bool < int32 < float32 < float64)', () => {
    for (const a of DTYPES) for (const b of DTYPES) expect(promoteTypes(a, b)).toBe(promote(a, b));
    expect(promoteTypes('int32', 'float32')).toBe('float32');
    expect(promoteTypes('bool', 'int32')).toBe('int32');
    expect(promoteTypes('float32', 'float64')).toBe('float64');
  });

  it('promotes a tensor with a JS number by category only', () => {
    expect(promoteWithScalar('float32', 2.5)).toBe('float32');
    expect(promoteWithScalar('float64', 1)).toBe('float64');
    expect(promoteWithScalar('int32', 2)).toBe('int32');
    expect(promoteWithScalar('int32', 2.5)).toBe('float32');
    expect(promoteWithScalar('bool', 2)).toBe('int32');
    expect(promoteWithScalar('bool', 0.5)).toBe('float32');
    expect(promoteWithScalar('bool', true)).toBe('bool');
    expect(promoteWithScalar('int32', false)).toBe('int32');
    // NaN and infinities are floating point values
    expect(promoteWithScalar('int32', NaN)).toBe('float32');
    expect(promoteWithScalar('int32', Infinity)).toBe('float32');
  });

  it('castScalar stores values as each dtype does', () => {
    for (const v of [0, 1, -1, 0.1, -2.7, 2.5, 1e10, -3e9, 2147483648, NaN, Infinity, -0]) {
      for (const d of DTYPES) expect(Object.is(castScalar(v, d) + 0, castTo(d, v) + 0)).toBe(true);
    }
    expect(castScalar(0.1, 'float32')).toBe(Math.fround(0.1));
    expect(castScalar(-2.7, 'int32')).toBe(-2);
    expect(castScalar(0.5, 'bool')).toBe(1);
    expect(castScalar(true, 'float64')).toBe(1);
    expect(castScalar(false, 'int32')).toBe(0);
  });
});

describe('allocUninit (op outputs a kernel overwrites)', () => {
  it('is poisoned with 0xFF bytes in tests, small and large, while empty() stays zeroed', () => {
    expect(process.env['TSGRAD_DEBUG_UNINIT']).toBe('1'); // set by vitest.config.ts
    for (const n of [10, 300, 100_000]) {
      const f = allocUninit('float32', n);
      expect(f).toBeInstanceOf(Float32Array);
      expect(f.length).toBe(n);
      expect(f.every((v) => Number.isNaN(v))).toBe(true);
      expect(allocUninit('float64', n).every((v) => Number.isNaN(v))).toBe(true);
      expect(allocUninit('int32', n).every((v) => v === -1)).toBe(true);
      expect(allocUninit('bool', n).every((v) => v === 255)).toBe(true);
    }
    expect(Tensor.empty([100_000], 'float32').storage.data.every((v) => v === 0)).toBe(true);
  });

  it('gives large buffers an ArrayBuffer of their own, 8-byte aligned', () => {
    const a = allocUninit('float64', 20_000);
    const b = allocUninit('float64', 20_000);
    expect(a.buffer).not.toBe(b.buffer);
    expect(a.byteOffset % 8).toBe(0);
    expect(a.byteLength).toBe(160_000);
  });
});
