import { matmul } from '@tsgrad/tensor';
import { def, sumTo } from './util.js';

/**
 * matmul with torch.matmul's semantics: a 1-D operand is a [1, K] row (first) or a [K, 1] column
 * (second) whose added dim is dropped from the result, and batch dims broadcast. The gradient is
 * computed on those matrix forms, summed over broadcast batch dims, and reshaped back.
 */
def('matmul', { saveInputs: true }, (g, { inputs: [a, b] }, needs) => {
  const a2 = a!.ndim === 1 ? a!.unsqueeze(0) : a!;
  const b2 = b!.ndim === 1 ? b!.unsqueeze(1) : b!;
  let g2 = g;
  if (a!.ndim === 1) g2 = g2.unsqueeze(b!.ndim === 1 ? 0 : -2);
  if (b!.ndim === 1) g2 = g2.unsqueeze(-1);
  return [
    needs[0] ? sumTo(matmul(g2, b2.mT), a2.shape).reshape(a!.shape) : null,
    needs[1] ? sumTo(matmul(a2.mT, g2), b2.shape).reshape(b!.shape) : null,
  ];
});
