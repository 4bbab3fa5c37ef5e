import type { TrainingHistory } from './chart.js';
import type { StopRequest } from './interrupt.js';
import { ProgressBar } from './progress.js';
import { type Io, formatPercent, paint, stripAnsi } from './term.js';

/** What one optimisation step reports. */
export interface BatchResult {
  /** Mean loss over the batch. */
  readonly loss: number;
  /** Samples in the batch (for samples/second and the loss mean). */
  readonly samples: number;
  /** Correct predictions and how many were scored (images: samples; text: characters). */
  readonly correct?: number;
  readonly scored?: number;
}

export interface EvalResult {
  readonly loss: number;
  readonly accuracy?: number;
}

/** Where training is: saved in checkpoints so `--resume` continues at the next batch. */
export interface TrainProgress {
  /** 0-based epoch in progress (== epochs when training finished). */
  epoch: number;
  /** Batches of `epoch` already done. */
  batch: number;
  /** Optimisation steps done in total. */
  step: number;
  /** Running sums of the unfinished epoch, so its reported means survive a resume. */
  partial: { lossSum: number; batches: number; correct: number; scored: number; samples: number; seconds: number };
}

export function freshProgress(): TrainProgress {
  return { epoch: 0, batch: 0, step: 0, partial: { lossSum: 0, batches: 0, correct: 0, scored: 0, samples: 0, seconds: 0 } };
}

export interface LoopSpec {
  readonly io: Io;
  readonly quiet: boolean;
  readonly epochs: number;
  readonly batchesPerEpoch: number;
  readonly stop: StopRequest;
  readonly progress: TrainProgress;
  readonly history: TrainingHistory;
  /** Runs optimisation step number `batch` of `epoch` (0-based), with batches in a fixed per-epoch order. */
  runBatch(epoch: number, batch: number): BatchResult | Promise<BatchResult>;
  /** Scores the held-out set after each epoch. */
  evaluate(epoch: number): EvalResult | Promise<EvalResult>;
  /** Called after each epoch's report (e.g. to print text samples). */
  afterEpoch?(epoch: number): void | Promise<void>;
  /** Writes a checkpoint: after every epoch, and when stopped early. */
  save?(): void | Promise<void>;
  /** Extra text for the progress bar, from the running loss (e.g. perplexity). */
  extraMetric?(runningLoss: number): string;
}

export interface LoopResult {
  readonly completed: boolean;
  readonly lastEval: EvalResult | null;
}

// Lets pending signals (Ctrl-C) and stdout writes through between batches.
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The epoch/batch loop every demo shares: progress bar with running loss, accuracy and
 * samples/second, per-epoch train/test report, loss history for the chart, checkpoints after each
 * epoch, and a clean stop (after the current batch, with a checkpoint) on Ctrl-C.
 */
export async function trainLoop(spec: LoopSpec): Promise<LoopResult> {
  const { io, progress: p, history } = spec;
  const out = io.out;
  const bar = new ProgressBar(out, !spec.quiet);
  const width = String(spec.epochs).length;
  // About 60 chart points per epoch, whatever the epoch's length.
  const recordEvery = Math.max(1, Math.floor(spec.batchesPerEpoch / 60));
  let lastEval: EvalResult | null = null;

  while (p.epoch < spec.epochs) {
    const epoch = p.epoch;
    const label = `epoch ${String(epoch + 1).padStart(width)}/${spec.epochs}`;
    const part = p.partial;
    let windowLoss = 0;
    let windowCount = 0;
    const start = performance.now() - part.seconds * 1000;
    const state = () => {
      const seconds = (performance.now() - start) / 1000;
      const loss = part.batches > 0 ? part.lossSum / part.batches : undefined;
      return {
        label,
        done: p.batch,
        total: spec.batchesPerEpoch,
        elapsedSeconds: seconds,
        ...(loss !== undefined ? { loss } : {}),
        ...(part.scored > 0 ? { accuracy: part.correct / part.scored } : {}),
        samplesPerSecond: seconds > 0 ? part.samples / seconds : NaN,
        ...(spec.extraMetric !== undefined && loss !== undefined ? { extra: spec.extraMetric(loss) } : {}),
      };
    };
    while (p.batch < spec.batchesPerEpoch) {
      if (spec.stop.requested) break;
      const r = await spec.runBatch(epoch, p.batch);
      if (!Number.isFinite(r.loss)) {
        bar.clear();
        throw new Error(`the loss became ${r.loss} at epoch ${epoch + 1}, batch ${p.batch + 1}: try a smaller --lr`);
      }
      p.batch++;
      p.step++;
      part.lossSum += r.loss;
      part.batches++;
      part.samples += r.samples;
      part.correct += r.correct ?? 0;
      part.scored += r.scored ?? 0;
      part.seconds = (performance.now() - start) / 1000;
      windowLoss += r.loss;
      windowCount++;
      if (windowCount === recordEvery || p.batch === spec.batchesPerEpoch) {
        history.steps.push({ epoch: epoch + p.batch / spec.batchesPerEpoch, loss: windowLoss / windowCount });
        windowLoss = 0;
        windowCount = 0;
      }
      bar.update(state());
      await yieldToEventLoop();
    }
    if (p.batch < spec.batchesPerEpoch) {
      // Stopped mid-epoch: keep the partial sums so a resume reports the whole epoch.
      bar.clear();
      if (!spec.quiet) out.write(`${paint(out, 'yellow', 'stopped')} at epoch ${epoch + 1}, batch ${p.batch}/${spec.batchesPerEpoch} (step ${p.step})\n`);
      await spec.save?.();
      return { completed: false, lastEval };
    }
    const finalLine = bar.finish(state());
    const ev = await spec.evaluate(epoch);
    lastEval = ev;
    const trainLoss = part.batches > 0 ? part.lossSum / part.batches : NaN;
    const trainAcc = part.scored > 0 ? part.correct / part.scored : undefined;
    history.epochs.push({
      epoch: epoch + 1,
      trainLoss,
      ...(trainAcc !== undefined ? { trainAccuracy: trainAcc } : {}),
      testLoss: ev.loss,
      ...(ev.accuracy !== undefined ? { testAccuracy: ev.accuracy } : {}),
    });
    if (!spec.quiet) {
      // The bar's final line holds the epoch's training loss and accuracy; this one the held-out results.
      // Aligned so that "loss" sits under the bar's "loss".
      const lossAt = stripAnsi(finalLine).indexOf(' loss ');
      const pad = ' '.repeat(Math.max(0, lossAt >= 0 ? lossAt - 4 : label.length - 4));
      const acc = ev.accuracy === undefined ? '' : `  acc ${paint(out, 'green', paint(out, 'bold', formatPercent(ev.accuracy)))}`;
      const extra = spec.extraMetric !== undefined ? `  ${spec.extraMetric(ev.loss)}` : '';
      out.write(`${pad}${paint(out, 'cyan', 'test')} loss ${paint(out, 'bold', ev.loss.toFixed(4))}${acc}${extra}\n`);
    }
    p.epoch++;
    p.batch = 0;
    p.partial = { lossSum: 0, batches: 0, correct: 0, scored: 0, samples: 0, seconds: 0 };
    await spec.afterEpoch?.(epoch);
    await spec.save?.();
    if (spec.stop.requested) return { completed: p.epoch >= spec.epochs, lastEval };
  }
  return { completed: true, lastEval };
}
