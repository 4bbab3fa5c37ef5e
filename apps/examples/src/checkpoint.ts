import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Tensor } from '@tsgrad/tensor';
import { parseSafetensorsWithMetadata, serializeSafetensors, writeFileAtomic } from '@tsgrad/nn';
import type { TrainingHistory } from './chart.js';
import { UsageError } from './cli.js';
import { type Json, joinTensors, splitTensors } from './state-tree.js';
import type { TrainProgress } from './train.js';

/**
 * A demo checkpoint is ONE safetensors file:
 *
 * - `model.<key>`: every tensor of the model's `stateDict()` (PyTorch key names, e.g.
 *   `model.0.weight`), so the weights are readable by any safetensors tool;
 * - `optimizer.<path>`: every tensor of the optimizer's `stateDict()` (momentum buffers, Adam's
 *   moments), named by their path in that dict (`optimizer.state.0.expAvg`);
 * - the `__metadata__` header entry `tsgrad` holds JSON: the demo and its run configuration (to
 *   rebuild the model and continue with the same settings), where training stands (epoch, batch in
 *   the epoch, step), the loss history for the chart, and the optimizer's `stateDict()` with its
 *   tensors replaced by `{"$tensor": "optimizer.…"}` references (scalar state: step counts, lr).
 *
 * Batches come in a fixed order per (seed, epoch), so a resumed run sees exactly the batches the
 * uninterrupted run would have seen.
 */
export const CHECKPOINT_FORMAT = 'tsgrad-examples-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface CheckpointMeta {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: number;
  /** Which demo wrote it: `mnist` or `rnn`. */
  readonly demo: string;
  /** The resolved run configuration (model, optimizer, lr, batch size, seed, ...). */
  readonly config: { [key: string]: Json };
  readonly progress: TrainProgress;
  readonly history: TrainingHistory;
  /** Demo-specific data (the character LM's vocabulary). */
  readonly extra: { [key: string]: Json };
  readonly savedAt: string;
  readonly backend: string;
}

export interface Checkpoint {
  readonly meta: CheckpointMeta;
  readonly model: Record<string, Tensor>;
  /** The optimizer's `stateDict()` as it was saved (tensors restored). */
  readonly optimizer: unknown;
}

export function encodeCheckpoint(
  meta: Omit<CheckpointMeta, 'format' | 'version'>,
  modelState: Record<string, Tensor>,
  optimizerState: unknown,
): Uint8Array {
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(modelState)) tensors[`model.${k}`] = t;
  const { skeleton, tensors: optTensors } = splitTensors(optimizerState, 'optimizer');
  for (const [k, t] of optTensors) tensors[k] = t;
  const full = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, ...meta, optimizer: skeleton };
  return serializeSafetensors(tensors, { metadata: { format: CHECKPOINT_FORMAT, tsgrad: JSON.stringify(full) } });
}

export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): Checkpoint {
  let parsed: { tensors: Record<string, Tensor>; metadata: Record<string, string> | null };
  try {
    parsed = parseSafetensorsWithMetadata(bytes, { source });
  } catch (e) {
    throw new Error(`${source} is not a safetensors file (${e instanceof Error ? e.message : String(e)})`);
  }
  const raw = parsed.metadata?.['tsgrad'];
  if (parsed.metadata?.['format'] !== CHECKPOINT_FORMAT || raw === undefined) {
    throw new Error(`${source} is a safetensors file but not a tsgrad examples checkpoint (no "tsgrad" metadata); write one with --save`);
  }
  const full = JSON.parse(raw) as CheckpointMeta & { optimizer: Json };
  if (full.version !== CHECKPOINT_VERSION) throw new Error(`${source} has checkpoint version ${full.version}; this build reads version ${CHECKPOINT_VERSION}`);
  const model: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(parsed.tensors)) if (k.startsWith('model.')) model[k.slice(6)] = t;
  const optimizer = joinTensors(full.optimizer, (name) => parsed.tensors[name]);
  const { optimizer: _skeleton, ...meta } = full;
  return { meta, model, optimizer };
}

/** Writes atomically (nn's temp file + fsync + rename), so a Ctrl-C during the write never leaves half a file. */
export function saveCheckpoint(file: string, bytes: Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic(file, bytes);
}

export function loadCheckpoint(file: string): Checkpoint {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // A wrong path on the command line is a usage mistake (exit code 2), like a missing --data directory.
    if (code === 'ENOENT') throw new UsageError(`checkpoint ${file} does not exist`);
    throw new Error(`cannot read checkpoint ${file}: ${(e as Error).message}`);
  }
  return decodeCheckpoint(bytes, file);
}

/** The checkpoint named by `--resume`, if any, refusing one written by another demo. */
export function loadResumeCheckpoint(resumeFile: string | undefined, demo: string): Checkpoint | null {
  if (resumeFile === undefined) return null;
  const ckpt = loadCheckpoint(resumeFile);
  if (ckpt.meta.demo !== demo) {
    throw new UsageError(`${resumeFile} is a checkpoint of the ${ckpt.meta.demo} demo; resume it with pnpm ${ckpt.meta.demo}`);
  }
  return ckpt;
}
