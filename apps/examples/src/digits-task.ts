import { type Tensor, argmax, fromTypedArray, toTypedArray, item } from '@tsgrad/tensor';
import { noGrad } from '@tsgrad/autograd';
import * as nn from '@tsgrad/nn';
import type { DigitSplit } from './digits.js';
import { epochPermutation } from './rng.js';
import type { BatchResult, EvalResult } from './train.js';
import type { Optimizer } from './optimizers.js';

/** How a model wants its digits: flat [N, 784], images [N, 1, 28, 28], or rows [N, 28, 28]. */
export type InputLayout = 'flat' | 'image' | 'rows';

export function batchShape(layout: InputLayout, n: number): number[] {
  return layout === 'flat' ? [n, 784] : layout === 'image' ? [n, 1, 28, 28] : [n, 28, 28];
}

/** Copies the images and labels at `indices[start..end)` into fresh batch tensors. */
export function gatherBatch(split: DigitSplit, indices: ArrayLike<number> | null, start: number, end: number, layout: InputLayout): [Tensor, Tensor] {
  const n = end - start;
  const x = new Float32Array(n * 784);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const src = indices === null ? start + i : indices[start + i]!;
    x.set(split.images.subarray(src * 784, src * 784 + 784), i * 784);
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
      const [x, y] = gatherBatch(train, perm, start, end, layout);
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
