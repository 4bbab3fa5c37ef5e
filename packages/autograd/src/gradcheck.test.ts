import { describe, expect, it } from 'vitest';
import { type Tensor, getBackend, recordOp, tensor } from '@tsgrad/tensor';
import { gradcheck, gradgradcheck, noGrad, registerGradient } from './index.js';
import { rand } from './test-utils/random.js';

// An op whose formula is deliberately wrong at one element, to see gradcheck report it.
registerGradient('testOffByOne', {
  name: 'TestOffByOneBackward', saveInputs: false, saveOutput: false,
  backward: (g) => {
    const wrong = g.clone();
    wrong.storage.data[2] = wrong.storage.data[2]! * 1.5;
    return [wrong];
  },
});
const identityWithWrongGrad = (x: Tensor) => {
  const out = noGrad(() => x.clone());
  recordOp('testOffByOne', [x], out);
  return out;
};

describe(`gradcheck (${getBackend().name} backend)`, () => {
  it('passes a correct function with several inputs and outputs', () => {
    expect(gradcheck((a, b) => [a.mul(b), a.exp().sum()], [rand([2, 2]), rand([2, 2])])).toBe(true);
  });

  it('inputs that do not require grad are held constant', () => {
    const c = rand([3], -1, 1, false);
    expect(gradcheck((a, k) => a.mul(k), [rand([3]), c])).toBe(true);
  });

  it('names the input, the indices and both values of the worst mismatch', () => {
    const x = tensor([[1, 2], [3, 4]], { dtype: 'float64', requiresGrad: true });
    expect(() => gradcheck(identityWithWrongGrad, [x])).toThrow(
      'gradcheck: Jacobian mismatch for output 0 with respect to input 0: at input index [1, 0], output index [1, 0] analytical 1.5 vs numerical',
    );
    expect(() => gradcheck(identityWithWrongGrad, [x])).toThrow(/1 of 16 entries outside atol/);
    expect(gradcheck(identityWithWrongGrad, [x], { raiseException: false })).toBe(false);
    // Loose enough tolerances accept it.
    expect(gradcheck(identityWithWrongGrad, [x], { atol: 0.6 })).toBe(true);
  });

  it('refuses float32 inputs and calls without an input that requires grad', () => {
    const f = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    expect(() => gradcheck((t) => t.exp(), [f])).toThrow(/input 0 is float32; finite differences need float64/);
    expect(() => gradcheck((t) => t.exp(), [rand([2], -1, 1, false)])).toThrow(/no input requires grad/);
  });

  it('leaves the inputs unchanged', () => {
    const x = rand([4]);
    const before = Array.from(x.toTypedArray());
    gradcheck((t) => t.sin(), [x]);
    expect(Array.from(x.toTypedArray())).toEqual(before);
  });

  it('gradgradcheck passes second derivatives of composite functions', () => {
    expect(gradgradcheck((a, b) => a.mul(b).sigmoid().mul(a), [rand([2, 3]), rand([3])])).toBe(true);
  });
});
