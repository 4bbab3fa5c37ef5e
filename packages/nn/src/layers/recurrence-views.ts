import { Tensor, type DType, type View } from '@tsgrad/tensor';

/**
 * Backend views for the fused recurrences. Each step's elementwise work is a handful of backend
 * kernel calls over views of buffers allocated once per sequence, so it runs in whatever the
 * current backend has (vectorised in native) with no per-step tensor allocation or recording.
 */

/** A 2-D view [rows, cols] with the given strides. */
export function view2d(buffer: View['buffer'], offset: number, rows: number, cols: number, rowStride: number, colStride = 1): View {
  return { buffer, shape: [rows, cols], strides: [rowStride, colStride], offset };
}

/** Columns [from, from + width) of a 2-D view. */
export function cols(v: View, from: number, width: number): View {
  return { buffer: v.buffer, shape: [v.shape[0]!, width], strides: v.strides, offset: v.offset + from * v.strides[1]! };
}

/** Step t of a [T, B, W] tensor of any strides, as a [B, W] view. */
export function stepOf(x: Tensor, t: number): View {
  return view2d(x.buffer, x.offset + t * x.strides[0]!, x.shape[1]!, x.shape[2]!, x.strides[1]!, x.strides[2]!);
}

/** A [B, H] tensor of any strides as a view (the initial states). */
export function matrixOf(x: Tensor): View {
  return view2d(x.buffer, x.offset, x.shape[0]!, x.shape[1]!, x.strides[0]!, x.strides[1]!);
}

/** The transpose of a 2-D tensor as a view (W_hh^T for h W_hh^T), read through strides. */
export function transposedOf(w: Tensor): View {
  return view2d(w.buffer, w.offset, w.shape[1]!, w.shape[0]!, w.strides[1]!, w.strides[0]!);
}

/**
 * A contiguous [rows, B, W] buffer: whole rows (timesteps) and column slots (gates) of one row or
 * of a run of rows, as 2-D views [n * B, width].
 */
export class StepBuffer {
  readonly tensor: Tensor;

  constructor(readonly rowCount: number, readonly B: number, readonly W: number, dtype: DType) {
    this.tensor = Tensor.empty([rowCount, B, W], dtype);
  }

  /** Columns [from, from + width) of rows [first, first + n), as a [n * B, width] view. */
  rows(first: number, n: number, from = 0, width = this.W): View {
    return view2d(this.tensor.buffer, (first * this.B) * this.W + from, n * this.B, width, this.W);
  }

  /** Row t ([B, W]), or its columns [from, from + width). */
  step(t: number, from = 0, width = this.W): View {
    return this.rows(t, 1, from, width);
  }

  /** Rows [first, first + n) as a contiguous [n, B, width] tensor (width = W). */
  tensorRows(first: number, n: number): Tensor {
    return this.tensor.narrow(0, first, n);
  }
}

/**
 * Where each step's state lives in a [T + 1, B, H] state buffer: row `cur(t)` holds the state after
 * step t and row `prev(t)` the one before it. In time order the initial state is row 0 and step t
 * writes row t + 1; reversed, the initial state is row T and step t writes row t. Either way the T
 * states after each step, and the T states before each step, are contiguous runs of rows, so the
 * backward's weight gradient reads h_{t-1} for all steps as one [T * B, H] matrix.
 */
export class StateRows {
  constructor(readonly T: number, readonly reverse: boolean) {}
  cur(t: number): number {
    return this.reverse ? t : t + 1;
  }
  prev(t: number): number {
    return this.reverse ? t + 1 : t;
  }
  /** First row of the run of states after each step (time order). */
  get curStart(): number {
    return this.reverse ? 0 : 1;
  }
  /** First row of the run of states before each step (time order). */
  get prevStart(): number {
    return this.reverse ? 1 : 0;
  }
  /** Timestep of the k-th step processed. */
  timeOf(k: number): number {
    return this.reverse ? this.T - 1 - k : k;
  }
  /** Row of the initial state. */
  get initial(): number {
    return this.reverse ? this.T : 0;
  }
  /** Row of the final state. */
  get final(): number {
    return this.reverse ? 0 : this.T;
  }
}
