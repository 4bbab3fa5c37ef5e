import { type Tensor, cat } from '@tsgrad/tensor';
import { withoutGrad } from '../grad-mode.js';

/** All parameters flattened and concatenated (torch.nn.utils.parameters_to_vector). */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  const list = [...parameters];
  if (list.length === 0) throw new RangeError('parametersToVector: no parameters');
  return cat(list.map((p) => p.reshape(-1)));
}

/** Copies consecutive slices of `vec` into the parameters (torch.nn.utils.vector_to_parameters). */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  const list = [...parameters];
  const total = list.reduce((n, p) => n + p.numel(), 0);
  if (vec.ndim !== 1 || vec.shape[0] !== total) throw new RangeError(`vectorToParameters: expected a 1-D vector of ${total} elements, got shape [${vec.shape.join(', ')}]`);
  withoutGrad(() => {
    let pos = 0;
    for (const p of list) {
      p.copy_(vec.narrow(0, pos, p.numel()).reshape(p.shape));
      pos += p.numel();
    }
  });
}
