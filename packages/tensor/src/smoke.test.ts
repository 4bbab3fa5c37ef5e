import { describe, expect, it } from 'vitest';
import { tensor, getBackend } from './index.js';

describe(`tensor basics (${getBackend().name} backend)`, () => {
  it('adds with broadcasting', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(a.add(tensor([10, 20, 30])).toArray()).toEqual([[11, 22, 33], [14, 25, 36]]);
  });
  it('multiplies matrices through a transposed view', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float32' });
    expect(a.matmul(a.T).toArray()).toEqual([[14, 32], [32, 77]]);
  });
});
