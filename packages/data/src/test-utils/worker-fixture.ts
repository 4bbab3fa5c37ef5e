// Datasets built inside DataLoader worker threads by the loader tests.
import { Tensor } from '@tsgrad/tensor';
import { Dataset, defaultGenerator, workerInfo } from '../index.js';

/** Sample i: { x: float32 [2] = [i, i*i], y: int32 scalar i % 3, w: which worker made it }. */
export class SquaresDataset extends Dataset<{ x: Tensor; y: number; worker: number }> {
  constructor(
    readonly length: number,
    readonly failAt = -1,
  ) {
    super();
  }
  get(i: number) {
    if (i === this.failAt) throw new RangeError(`bad sample ${i}`);
    // Busy work, so parallel workers have something to overlap.
    let acc = 0;
    for (let k = 0; k < 2000; k++) acc += Math.sqrt(k + i);
    const x = Tensor.fromBuffer(Float32Array.of(i, i * i), [2]);
    return { x, y: (i % 3) + (acc < 0 ? 1 : 0), worker: workerInfo?.id ?? -1 };
  }
}

export function makeSquares(n: number, failAt = -1): SquaresDataset {
  return new SquaresDataset(n, failAt);
}

/** Each sample draws from the worker's default generator: shows per-worker seeding is deterministic. */
export function makeNoisy(n: number) {
  return {
    length: n,
    get(i: number) {
      return { i, noise: defaultGenerator().nextFloat64() };
    },
  };
}

export function makeBroken(): never {
  throw new Error('cannot build this dataset');
}

/** Its worker thread exits (as a native crash would) when sample 5 is read. */
export function makeExiting(n: number) {
  return {
    length: n,
    get(i: number) {
      if (i === 5) process.exit(3);
      return i;
    },
  };
}
