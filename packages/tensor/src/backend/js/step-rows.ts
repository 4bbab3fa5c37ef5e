import type { View } from '../backend.js';
import type { TypedArray } from '../../dtype.js';

/**
 * What the fused recurrent step kernels (lstm.ts, rnn.ts) share: 2-D views read row by row, and
 * the dtype rule every view of one call must follow.
 */

/** Element [b, j] of a 2-D view lives at `offset + b·rowStride + j·colStride`. */
export interface Rows {
  readonly a: TypedArray;
  readonly o: number;
  readonly rs: number;
  readonly cs: number;
}

export const rowsOf = (v: View): Rows => ({ a: v.buffer, o: v.offset, rs: v.strides[0]!, cs: v.strides[1]! });

/**
 * Throws a TypeError naming view `name` unless it is float32 or float64 and of the same dtype as
 * `refName`'s buffer, whose constructor is `Ctor`: nothing above the kernels checks them.
 */
export function checkStepDType(kernel: string, name: string, v: View, refName: string, Ctor: { readonly name: string }): void {
  if (!(v.buffer instanceof Float32Array || v.buffer instanceof Float64Array)) {
    throw new TypeError(`${kernel}: ${name} must be a float32 or float64 view, got ${v.buffer.constructor.name}`);
  }
  if (v.buffer.constructor !== Ctor) {
    throw new TypeError(`${kernel}: ${name} is ${v.buffer.constructor.name} but ${refName} is ${Ctor.name}: every view must share one dtype`);
  }
}
