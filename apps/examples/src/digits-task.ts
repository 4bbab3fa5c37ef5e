import { type Tensor, argmax, fromTypedArray, toTypedArray, item } from '@tsgrad/tensor';
import { noGrad } from '@tsgrad/autograd';
import * as nn from '@tsgrad/nn';
import type { DigitSplit } from './digits.js';
import { Rng, epochPermutation, mixSeed } from './rng.js';
import type { BatchResult, EvalResult } from './train.js';
import type { Optimizer } from './optimizers.js';

/** How a model wants its digits: flat [N, 784], images [N, 1, 28, 28], or rows [N, 28, 28]. */
export type InputLayout = 'flat' | 'image' | 'rows';

export function batchShape(layout: InputLayout, n: number): number[] {
  return layout === 'flat' ? [n, 784] : layout === 'image' ? [n, 1, 28, 28] : [n, 28, 28];
}

/** Largest random shift (pixels, each direction) of the training augmentation. */
export const MAX_SHIFT = 2;

/**
 * Copies a 28x28 image moved by (dx, dy) pixels into `out`; pixels shifted in from outside are 0.
 * Small random shifts make 8,000 digits go a lot further: the model cannot memorise positions.
 */
export function shiftImage(src: Float32Array, dx: number, dy: number, out: Float32Array, outOffset: number): void {
  for (let y = 0; y < 28; y++) {
    const sy = y - dy;
    const row = outOffset + y * 28;
    if (sy < 0 || sy >= 28) {
      out.fill(0, row, row + 28);
      continue;
    }
    for (let x = 0; x < 28; x++) {
      const sx = x - dx;
      out[row + x] = sx >= 0 && sx < 28 ? src[sy * 28 + sx]! : 0;
    }
  }
}

/**
 * Copies the images and labels at `indices[start..end)` into fresh batch tensors; with `rng`,
 * each image is shifted by a random offset in [-MAX_SHIFT, MAX_SHIFT]^2.
 */
export function gatherBatch(split: DigitSplit, indices: ArrayLike<number> | null, start: number, end: number, layout: InputLayout, rng?: Rng): [Tensor, Tensor] {
  const n = end - start;
  const x = new Float32Array(n * 784);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const src = indices === null ? start + i : indices[start + i]!;
    const image = split.images.subarray(src * 784, src * 784 + 784);
    if (rng !== undefined) shiftImage(image, rng.int(2 * MAX_SHIFT + 1) - MAX_SHIFT, rng.int(2 * MAX_SHIFT + 1) - MAX_SHIFT, x, i * 784);
    else x.set(image, i * 784);
    y[i] = split.labels[src]!;
  }
  return [fromTypedArray(x, batchShape(layout, n)), fromTypedArray(y, [n])];
}

/** Counts predictions (argmax of the logits) equal to the labels. */
export function countCorrect(logits: Tensor, labels: Tensor): { correct: number; predicted: Int32Array } {
  const pred = toTypedArray(argmax(logits, 1)) as Int32Array;
  const y = toTypedArray(labels);
  let correct = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === y[i]) correct++;
  return { correct, predicted: Int32Array.from(pred) };
}

export interface DigitTrainer {
  readonly batchesPerEpoch: number;
  runBatch(epoch: number, batch: number): BatchResult;
  evaluate(limitBatches?: number): EvalResult & { predicted: Int32Array; labels: Int32Array };
}

/**
 * One optimisation step on a shuffled batch, and scoring on the held-out split. The batch order of
 * an epoch is a fixed permutation of (seed, epoch), so a resumed run picks up at the right batch.
 */
export function digitTrainer(opts: {
  model: nn.Module;
  optimizer: Optimizer;
  train: DigitSplit;
  test: DigitSplit;
  layout: InputLayout;
  batchSize: number;
  seed: number;
  /** Random shifts of the training images (fixed by seed, epoch and batch, so resume is exact). */
  augment: boolean;
  limitBatches?: number;
}): DigitTrainer {
  const { model, optimizer, train, test, layout, batchSize, seed } = opts;
  const full = Math.ceil(train.count / batchSize);
  const batchesPerEpoch = opts.limitBatches !== undefined ? Math.min(full, opts.limitBatches) : full;
  let permEpoch = -1;
  let perm: Int32Array = new Int32Array(0);
  const forward = (x: Tensor) => model.forward(x) as Tensor;
  return {
    batchesPerEpoch,
    runBatch(epoch, batch) {
      if (permEpoch !== epoch) {
        perm = epochPermutation(train.count, seed, epoch);
        permEpoch = epoch;
      }
      const start = batch * batchSize;
      const end = Math.min(train.count, start + batchSize);
      const rng = opts.augment ? new Rng(mixSeed(mixSeed(seed ^ 0x5eed, epoch), batch)) : undefined;
      const [x, y] = gatherBatch(train, perm, start, end, layout, rng);
      model.train();
      optimizer.zeroGrad();
      const logits = forward(x);
      const loss = nn.F.crossEntropy(logits, y);
      loss.backward();
      optimizer.step();
      const { correct } = countCorrect(logits.detach(), y);
      return { loss: item(loss) as number, samples: end - start, correct, scored: end - start };
    },
    evaluate(limitBatches) {
      model.eval();
      const evalBatch = 500;
      const count = limitBatches !== undefined ? Math.min(test.count, limitBatches * batchSize) : test.count;
      const predicted = new Int32Array(count);
      let lossSum = 0;
      let correct = 0;
      noGrad(() => {
        for (let start = 0; start < count; start += evalBatch) {
          const end = Math.min(count, start + evalBatch);
          const [x, y] = gatherBatch(test, null, start, end, layout);
          const logits = forward(x);
          lossSum += (item(nn.F.crossEntropy(logits, y)) as number) * (end - start);
          const r = countCorrect(logits, y);
          correct += r.correct;
          predicted.set(r.predicted, start);
        }
      });
      return { loss: lossSum / count, accuracy: correct / count, predicted, labels: test.labels.subarray(0, count) };
    },
  };
}
