import { describe, expect, it } from 'vitest';
import {
  type Tensor, abs, add, atan2, clamp, cos, div, erf, exp, expm1, gelu, getBackend, log, log1p, maximum, minimum, mul, neg,
  pow, reciprocal, relu, remainder, rsqrt, sigmoid, sin, sqrt, square, sub, tanh, tensor, where,
} from '@tsgrad/tensor';
import { gradcheck, gradgradcheck } from '../index.js';
import { rand, randAway, randT } from '../test-utils/random.js';

describe(`elementwise gradients (${getBackend().name} backend)`, () => {
  const binary: [string, (a: Tensor, b: Tensor) => Tensor, () => Tensor, () => Tensor][] = [
    ['add', add, () => rand([3, 4]), () => rand([4])],
    ['sub', sub, () => rand([2, 1, 3]), () => rand([4, 1])],
    ['mul', mul, () => randT([3, 4]), () => rand([3, 1])],
    ['div', div, () => rand([3, 4]), () => randAway([1, 4])],
    ['pow', pow, () => rand([3, 4], 0.5, 2), () => rand([4], -2, 2)],
    ['maximum', maximum, () => rand([3, 4]), () => rand([4])],
    ['minimum', minimum, () => randT([3, 4]), () => rand([3, 4])],
    ['atan2', atan2, () => rand([3, 4]), () => randAway([3, 1])],
    ['remainder', remainder, () => rand([3, 4], 0.1, 3), () => rand([4], 0.7, 1.3)],
  ];
  for (const [name, f, makeA, makeB] of binary) {
    it(`${name}: gradcheck with broadcasting and non-contiguous inputs`, () => {
      const a = makeA();
      const b = makeB();
      expect(gradcheck(f, [a, b])).toBe(true);
    });
  }

  it('binary ops with a scalar operand differentiate the tensor side only', () => {
    const x = rand([2, 3], 0.5, 1.5);
    expect(gradcheck((t) => t.mul(3).add(2).sub(0.5).div(4), [x])).toBe(true);
    expect(gradcheck((t) => pow(t, 2.5), [x])).toBe(true);
    expect(gradcheck((t) => pow(2, t), [x])).toBe(true);
    expect(gradcheck((t) => sub(1, t).mul(div(1, t)), [x])).toBe(true);
  });

  it('mixed float32 / float64 operands give each input a gradient of its own dtype', () => {
    const a = tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    const b = tensor([0.5, 0.25, 2], { dtype: 'float64', requiresGrad: true });
    a.mul(b).sum().backward();
    expect(a.grad!.dtype).toBe('float32');
    expect(b.grad!.dtype).toBe('float64');
    expect(Array.from(a.grad!.toTypedArray())).toEqual([0.5, 0.25, 2]);
    expect(Array.from(b.grad!.toTypedArray())).toEqual([1, 2, 3]);
  });

  it('maximum/minimum split the gradient evenly at ties (as torch)', () => {
    const a = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const b = tensor([1, 5, 0], { dtype: 'float64', requiresGrad: true });
    maximum(a, b).sum().backward();
    expect(a.grad!.toArray()).toEqual([0.5, 0, 1]);
    expect(b.grad!.toArray()).toEqual([0.5, 1, 0]);
  });

  const unary: [string, (x: Tensor) => Tensor, () => Tensor][] = [
    ['neg', neg, () => randT([3, 2])],
    ['abs', abs, () => randAway([3, 2])],
    ['exp', exp, () => randT([3, 2])],
    ['log', log, () => rand([3, 2], 0.2, 3)],
    ['log1p', log1p, () => rand([3, 2], -0.5, 3)],
    ['expm1', expm1, () => randT([2, 3])],
    ['sqrt', sqrt, () => rand([3, 2], 0.2, 3)],
    ['rsqrt', rsqrt, () => rand([3, 2], 0.2, 3)],
    ['square', square, () => randT([3, 2])],
    ['reciprocal', reciprocal, () => randAway([3, 2])],
    ['sin', sin, () => randT([3, 2], -3, 3)],
    ['cos', cos, () => rand([3, 2], -3, 3)],
    ['tanh', tanh, () => randT([3, 2], -2, 2)],
    ['sigmoid', sigmoid, () => rand([3, 2], -3, 3)],
    ['relu', relu, () => randAway([3, 2])],
    ['gelu', gelu, () => randT([3, 2], -3, 3)],
    ['erf', erf, () => rand([3, 2], -2, 2)],
  ];
  for (const [name, f, make] of unary) {
    it(`${name}: gradcheck and gradgradcheck`, () => {
      expect(gradcheck(f, [make()])).toBe(true);
      expect(gradgradcheck(f, [make()])).toBe(true);
    });
  }

  it('binary ops: gradgradcheck (double backward)', () => {
    for (const [, f, makeA, makeB] of binary.filter(([n]) => n !== 'maximum' && n !== 'minimum' && n !== 'remainder')) {
      expect(gradgradcheck(f, [makeA(), makeB()])).toBe(true);
    }
  });

  it('where routes the gradient by the condition, broadcasting both branches', () => {
    const a = rand([2, 3]);
    const b = rand([3]);
    const cond = tensor([[true, false, true], [false, false, true]]);
    expect(gradcheck((x, y) => where(cond, x, y), [a, b])).toBe(true);
    where(cond, a, b).sum().backward();
    expect(a.grad!.toArray()).toEqual([[1, 0, 1], [0, 0, 1]]);
    expect(b.grad!.toArray()).toEqual([1, 2, 0]);
    expect(gradcheck((x) => where(cond, x, 0), [rand([2, 3])])).toBe(true);
  });

  it('clamp passes the gradient where min <= x <= max, bounds included', () => {
    const x = tensor([-2, -1, 0, 1, 2], { dtype: 'float64', requiresGrad: true });
    clamp(x, -1, 1).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 1, 1, 1, 0]);
    const y = tensor([-2, 0.5, 3], { dtype: 'float64', requiresGrad: true });
    clamp(y, null, 1).sum().backward();
    expect(y.grad!.toArray()).toEqual([1, 1, 0]);
    expect(gradcheck((t) => clamp(t, -0.5, 0.5), [randAway([4, 2], 0.1, 0.45)])).toBe(true);
    expect(gradcheck((t) => clamp(t, -0.5, 0.5), [randAway([4, 2], 0.55, 1)])).toBe(true);
  });

  it('pow: 0^0 and 0^b have finite gradients (torch conventions)', () => {
    const a = tensor([0, 0, 2], { dtype: 'float64', requiresGrad: true });
    const b = tensor([0, 2, 3], { dtype: 'float64', requiresGrad: true });
    pow(a, b).sum().backward();
    expect(a.grad!.toArray()).toEqual([0, 0, 12]);
    expect((b.grad!.toArray() as number[])[0]).toBe(0);
    expect((b.grad!.toArray() as number[])[1]).toBe(0);
    expect((b.grad!.toArray() as number[])[2]).toBeCloseTo(8 * Math.log(2), 12);
  });

  it('gradcheck fails (and names the worst entry) on a wrong formula', () => {
    // relu at exactly 0 has a kink: the analytical subgradient 0 differs from the central difference 0.5.
    const x = tensor([0, 1], { dtype: 'float64', requiresGrad: true });
    expect(() => gradcheck(relu, [x])).toThrow(/input 0: at input index \[0\], output index \[0\] analytical 0 vs numerical 0\.5/);
    expect(gradcheck(relu, [x], { raiseException: false })).toBe(false);
  });
});
