import { Tensor } from '@tsgrad/tensor';

/**
 * A tensor that is a module's learnable state (torch.nn.Parameter).
 *
 * It shares storage with the tensor it is made from and requires grad by default. Assigning a
 * Parameter to a field of a Module registers it: `this.weight = new Parameter(w)`.
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) {
      throw new TypeError(`Parameter: data must be a Tensor, got ${data === null ? 'null' : typeof data}`);
    }
    super(data.storage, data.shape.slice(), data.strides.slice(), data.offset, data.dtype);
    // Parameters are leaves: the graph (if any) that produced `data` is not kept.
    if (requiresGrad) this.requiresGrad_(true);
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

/** Whether `x` is a `Parameter` (a tensor registered as a module's parameter). */
export function isParameter(x: unknown): x is Parameter {
  return x instanceof Parameter;
}
