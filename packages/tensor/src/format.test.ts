import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { Tensor, arange, formatTensor, getBackend, ones, setPrintOptions, tensor, zeros } from './index.js';

/**
 * Expected strings are what PyTorch prints for the same values (torch/_tensor_str.py), with
 * tsgrad's spellings in the suffixes (dtype=float64, requiresGrad=true, size=[0, 3]) and
 * true/false for bools.
 */
describe(`printing (${getBackend().name} backend)`, () => {
  afterEach(() => setPrintOptions());

  it('floats with 4 decimals, aligned, one row per line', () => {
    expect(tensor([[1.5, 2], [3, 4]]).toString()).toBe('tensor([[1.5000, 2.0000],\n        [3.0000, 4.0000]])');
    expect(tensor([-1.25, 10.5]).toString()).toBe('tensor([-1.2500, 10.5000])');
    expect(tensor(3.5).toString()).toBe('tensor(3.5000)');
  });

  it("integer-valued floats print as '1.' (torch's int mode); ints and bools plainly", () => {
    expect(tensor([[1, 2], [3, 4]], { dtype: 'float32' }).toString()).toBe('tensor([[1., 2.],\n        [3., 4.]])');
    expect(zeros(2).toString()).toBe('tensor([0., 0.])');
    expect(tensor([1, -20, 300]).toString()).toBe('tensor([  1, -20, 300])');
    expect(tensor([true, false]).toString()).toBe('tensor([ true, false])');
    expect(tensor([-0, 1], { dtype: 'float32' }).toString()).toBe('tensor([-0., 1.])');
  });

  it('scientific notation for wide ranges, tiny or huge values', () => {
    expect(tensor([1e-5, 1, 1000], { dtype: 'float64' }).toString()).toBe('tensor([1.0000e-05, 1.0000e+00, 1.0000e+03], dtype=float64)');
    expect(tensor([1e10, 1], { dtype: 'float64' }).toString()).toBe('tensor([1.0000e+10, 1.0000e+00], dtype=float64)');
    expect(tensor([0.5, 2000]).toString()).toBe('tensor([5.0000e-01, 2.0000e+03])');
  });

  it('nan and inf', () => {
    expect(tensor([Number.NaN, Infinity, 1.5]).toString()).toBe('tensor([   nan,    inf, 1.5000])');
    // Widths come from the finite values only, so a wider inf is not padded against (as in torch).
    expect(tensor([1, -Infinity], { dtype: 'float32' }).toString()).toBe('tensor([1., -inf])');
  });

  it('rounds exact ties half to even, as Python does', () => {
    // 1.03125 and 1.09375 are exact binary ties at the 5th decimal: even neighbours 1.0312, 1.0938.
    expect(tensor([1.03125, 1.09375], { dtype: 'float64' }).toString()).toBe('tensor([1.0312, 1.0938], dtype=float64)');
    expect(tensor([0.00015625, 1], { dtype: 'float64' }).toString()).toBe('tensor([1.5625e-04, 1.0000e+00], dtype=float64)');
    expect(tensor([1.234565, 1], { dtype: 'float64' }).toString()).toBe('tensor([1.2346, 1.0000], dtype=float64)');
  });

  it('nests 3-D tensors with blank lines between blocks', () => {
    expect(arange(8).reshape(2, 2, 2).float().toString()).toBe('tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])');
  });

  it('wraps long rows at 80 columns', () => {
    expect(arange(30).toString()).toBe(
      'tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])',
    );
    // The suffix moves to its own line when it would pass the line width.
    expect(arange(14).double().toString()).toBe(
      'tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.],\n       dtype=float64)',
    );
  });

  it('abbreviates tensors over 1000 elements with the first and last 3 entries of each dim', () => {
    expect(arange(2000).reshape(20, 100).toString()).toBe(
      [
        'tensor([[   0,    1,    2,  ...,   97,   98,   99],',
        '        [ 100,  101,  102,  ...,  197,  198,  199],',
        '        [ 200,  201,  202,  ...,  297,  298,  299],',
        '        ...,',
        '        [1700, 1701, 1702,  ..., 1797, 1798, 1799],',
        '        [1800, 1801, 1802,  ..., 1897, 1898, 1899],',
        '        [1900, 1901, 1902,  ..., 1997, 1998, 1999]])',
      ].join('\n'),
    );
    expect(arange(1001).float().toString()).toBe('tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])');
    // Exactly 1000 elements are printed in full.
    expect(arange(1000).toString().includes('...')).toBe(false);
    // The widths come from the shown values only (the hidden 10^6 does not widen the columns).
    const t = zeros(1001);
    t.buffer[500] = 1e6;
    expect(t.toString()).toBe('tensor([0., 0., 0.,  ..., 0., 0., 0.])');
  });

  it('empty tensors show their size and non-default dtype', () => {
    expect(zeros(0).toString()).toBe('tensor([])');
    expect(zeros(0, 3).toString()).toBe('tensor([], size=[0, 3])');
    expect(zeros(0, { dtype: 'int32' }).toString()).toBe('tensor([], dtype=int32)');
  });

  it('shows requiresGrad and gradFn', () => {
    expect(ones(2, { dtype: 'float32', requiresGrad: true }).toString()).toBe('tensor([1., 1.], requiresGrad=true)');
    const t = ones(2);
    t.requiresGrad = true;
    t.gradFn = { name: 'MulBackward' };
    expect(t.toString()).toBe('tensor([1., 1.], gradFn=<MulBackward>)');
  });

  it('prints views by their values, and through util.inspect (console.log)', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(x.T.toString()).toBe('tensor([[1, 4],\n        [2, 5],\n        [3, 6]])');
    expect(inspect(x)).toBe(formatTensor(x));
    expect(`${tensor([7])}`).toBe('tensor([7])');
    expect(inspect({ a: tensor([1.5]) })).toContain('tensor([1.5000])');
  });

  it('setPrintOptions changes precision and the sci mode', () => {
    setPrintOptions({ precision: 2 });
    expect(tensor([1.256, 2]).toString()).toBe('tensor([1.26, 2.00])');
    setPrintOptions({ sciMode: true });
    expect(tensor([1.5]).toString()).toBe('tensor([1.50e+00])');
    setPrintOptions();
    expect(tensor([1.5]).toString()).toBe('tensor([1.5000])');
    expect(() => setPrintOptions({ precision: -1 })).toThrow(RangeError);
    expect(Tensor.prototype.toString).toBeTypeOf('function');
  });
});
