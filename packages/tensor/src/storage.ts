import type { TypedArray } from './dtype.js';

/**
 * The memory behind one or more tensors. Views share a Storage; `version` counts in-place writes
 * so autograd can tell when a tensor it saved for backward has been modified since (as PyTorch's
 * version counter does).
 */
export class Storage {
  version = 0;
  constructor(readonly data: TypedArray) {}
}
