import type * as nn from '@tsgrad/nn';
import type { TrainingHistory } from './chart.js';
import { encodeCheckpoint, saveCheckpoint } from './checkpoint.js';
import { describeBackend } from './common.js';
import { StopRequest, onInterrupt } from './interrupt.js';
import { generatorStateToJson } from './model-info.js';
import type { Optimizer } from './optimizers.js';
import type { Json } from './state-tree.js';
import { type Io, paint } from './term.js';
import { type BatchResult, type EvalResult, type LoopResult, type TrainProgress, trainLoop } from './train.js';

export interface SessionSpec {
  readonly io: Io;
  readonly quiet: boolean;
  readonly demo: string;
  readonly config: { [key: string]: Json };
  readonly extra?: { [key: string]: Json };
  readonly save: string | undefined;
  readonly model: nn.Module;
  readonly optimizer: Optimizer;
  readonly progress: TrainProgress;
  readonly history: TrainingHistory;
  readonly epochs: number;
  readonly batchesPerEpoch: number;
  runBatch(epoch: number, batch: number): BatchResult;
  evaluate(epoch: number): EvalResult;
  afterEpoch?(epoch: number): void;
  extraMetric?(loss: number): string;
  /** Learning rate of each step (a schedule); applied to every parameter group before the step. */
  lrAt?(step: number): number;
  /** Tests: behave as if Ctrl-C was pressed after this many batches of this run. */
  readonly stopAfterBatches?: number;
}

/**
 * Runs the training loop with Ctrl-C handling and checkpointing: the checkpoint (weights,
 * optimizer state, progress, history, RNG position) is written after every epoch and when
 * training stops early.
 */
export async function trainWithCheckpoints(spec: SessionSpec): Promise<LoopResult & { seconds: number }> {
  const { io } = spec;
  const stop = new StopRequest();
  const removeHandler = onInterrupt(stop, (m) => io.err.write(`\n${paint(io.err, 'yellow', m)}\n`));
  const started = performance.now();
  let batchesThisRun = 0;
  const save = spec.save;
  const doSave =
    save === undefined
      ? undefined
      : () =>
          saveCheckpoint(
            save,
            encodeCheckpoint(
              {
                demo: spec.demo,
                config: spec.config,
                progress: spec.progress,
                history: spec.history,
                extra: { ...spec.extra, rng: generatorStateToJson() },
                savedAt: new Date().toISOString(),
                backend: describeBackend(),
              },
              spec.model.stateDict(),
              spec.optimizer.stateDict(),
            ),
          );
  try {
    const result = await trainLoop({
      io,
      quiet: spec.quiet,
      epochs: spec.epochs,
      batchesPerEpoch: spec.batchesPerEpoch,
      stop,
      progress: spec.progress,
      history: spec.history,
      runBatch: (epoch, batch) => {
        if (spec.lrAt !== undefined) {
          const lr = spec.lrAt(spec.progress.step);
          for (const group of spec.optimizer.paramGroups) group.lr = lr;
        }
        const r = spec.runBatch(epoch, batch);
        batchesThisRun++;
        if (spec.stopAfterBatches !== undefined && batchesThisRun >= spec.stopAfterBatches) stop.request('test');
        return r;
      },
      evaluate: (epoch) => spec.evaluate(epoch),
      ...(spec.afterEpoch !== undefined ? { afterEpoch: spec.afterEpoch } : {}),
      ...(spec.extraMetric !== undefined ? { extraMetric: spec.extraMetric } : {}),
      ...(doSave !== undefined ? { save: doSave } : {}),
    });
    return { ...result, seconds: (performance.now() - started) / 1000 };
  } finally {
    removeHandler();
  }
}

/**
 * Cosine decay from `lr` to `lr * floor` over `totalSteps` steps: a large rate early, small steps
 * at the end, which settles the weights and is worth a few tenths of a percent of accuracy.
 * The rate depends only on the step, so a resumed run follows the same schedule.
 */
export function cosineSchedule(lr: number, totalSteps: number, floor = 0.02): (step: number) => number {
  return (step) => {
    const t = Math.min(1, step / Math.max(1, totalSteps));
    return lr * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * t)));
  };
}
