import * as nodeFs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Tensor } from '@tsgrad/tensor';
import { Module } from './module.js';
import type { LoadStateDictOptions, LoadStateDictResult, StateDict } from './state-dict.js';
import { type ParseOptions, type SerializeOptions, parseSafetensorsWithMetadata, serializeSafetensors } from './safetensors.js';

/** The file operations `save` uses; tests replace some to simulate failures. */
export interface SaveFs {
  openSync(path: string, flags: string, mode?: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
}

/** Options of `save`: how integer tensors are written and the file system to use (for tests). */
export interface SaveOptions extends Pick<SerializeOptions, 'int64'> {
  /** File operations (default node:fs). */
  fs?: Partial<SaveFs>;
}

function stateOf(modelOrDict: Module | Record<string, Tensor>): Record<string, Tensor> {
  if (modelOrDict instanceof Module) return modelOrDict.stateDict();
  if (modelOrDict === null || typeof modelOrDict !== 'object') throw new TypeError('save: expected a Module or a state dict (an object of tensors)');
  return modelOrDict;
}

/**
 * Writes `bytes` to `path` atomically: into a temporary file in the same directory, flushed to
 * disk (fsync), then renamed over `path`. A failure at any step removes the temporary file and
 * leaves a previous file at `path` untouched.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array, fsOverride: Partial<SaveFs> = {}): void {
  const fs: SaveFs = { ...(nodeFs as unknown as SaveFs), ...fsOverride };
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    let written = 0;
    while (written < bytes.length) {
      const n = fs.writeSync(fd, bytes, written, bytes.length - written);
      if (n <= 0) throw new Error(`write returned ${n}`);
      written += n;
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) { try { fs.closeSync(fd); } catch { /* already failing */ } }
    try { fs.unlinkSync(tmp); } catch { /* never created, or already renamed */ }
    throw new Error(`failed to save ${path}: ${(e as Error).message}`, { cause: e });
  }
  // Persist the rename itself (best effort: not every platform can fsync a directory).
  try {
    const dfd = nodeFs.openSync(dirname(path), 'r');
    try { nodeFs.fsyncSync(dfd); } finally { nodeFs.closeSync(dfd); }
  } catch { /* directory fsync unsupported */ }
}

/**
 * Saves a model's state dict (or a state dict) as a safetensors file that PyTorch's safetensors
 * library can read, atomically (see writeFileAtomic). `metadata` is stored in "__metadata__".
 */
export function save(modelOrDict: Module | Record<string, Tensor>, path: string, metadata?: Record<string, string> | null, opts: SaveOptions = {}): void {
  const bytes = serializeSafetensors(stateOf(modelOrDict), { metadata: metadata ?? null, ...(opts.int64 ? { int64: opts.int64 } : {}) });
  writeFileAtomic(path, bytes, opts.fs);
}

/** Reads and validates a safetensors file: its tensors and metadata. */
export function loadFileWithMetadata(path: string, opts: Omit<ParseOptions, 'source'> = {}): { tensors: StateDict; metadata: Record<string, string> | null } {
  let bytes: Buffer;
  try {
    bytes = nodeFs.readFileSync(path);
  } catch (e) {
    throw new Error(`failed to read ${path}: ${(e as Error).message}`, { cause: e });
  }
  return parseSafetensorsWithMetadata(bytes, { ...opts, source: path });
}

/** Reads and validates a safetensors file into a state dict. */
export function loadFile(path: string, opts: Omit<ParseOptions, 'source'> = {}): StateDict {
  return loadFileWithMetadata(path, opts).tensors;
}

/** Loads a safetensors file into `model` (see Module.loadStateDict; strict by default). */
export function load(model: Module, path: string, opts: LoadStateDictOptions = {}): LoadStateDictResult {
  if (!(model instanceof Module)) throw new TypeError('load(model, path): model must be a Module; use loadFile(path) for a state dict');
  const dict = loadFile(path);
  try {
    return model.loadStateDict(dict, opts);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
  }
}
