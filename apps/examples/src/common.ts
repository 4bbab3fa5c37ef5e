import { writeFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { type BackendName, backendInfo, setBackend } from '@tsgrad/tensor';
import { type FlagSpec, type ParsedFlags, UsageError, formatUsage, parseFlags } from './cli.js';
import { type TrainingHistory, renderTrainingChart } from './chart.js';
import type { Json } from './state-tree.js';
import { type Io, paint } from './term.js';

/** Flags every training demo accepts. Defaults depend on the model, so they are filled later. */
export const TRAINING_FLAGS: FlagSpec[] = [
  { name: 'epochs', type: 'int', min: 1, help: 'passes over the training set (with --resume: the total to reach)' },
  { name: 'batch-size', type: 'int', min: 1, help: 'samples per optimisation step' },
  { name: 'lr', type: 'float', min: 0, exclusiveMin: true, help: 'learning rate' },
  { name: 'optimizer', type: 'enum', choices: ['sgd', 'adam', 'adamw'], help: 'optimizer (sgd uses momentum 0.9)' },
  { name: 'schedule', type: 'enum', choices: ['cosine', 'constant'], help: 'learning-rate schedule: cosine decay over the run, or constant', defaultText: 'cosine' },
  { name: 'seed', type: 'int', min: 0, help: 'seed for weight init, shuffling, dropout and sampling', defaultText: '1' },
  { name: 'backend', type: 'enum', choices: ['js', 'native'], help: 'compute backend (same as TSGRAD_BACKEND)', defaultText: 'native when installed, else js' },
  { name: 'save', type: 'string', metavar: 'FILE', help: 'write a checkpoint (weights + optimizer state) after each epoch and on Ctrl-C' },
  { name: 'resume', type: 'string', metavar: 'FILE', help: 'continue training exactly where a --save checkpoint stopped' },
  { name: 'out', type: 'string', metavar: 'DIR', help: 'where the training-curve SVG goes when there is no --save', defaultText: 'current directory' },
  { name: 'limit-batches', type: 'int', min: 1, metavar: 'N', help: 'at most N training (and N test) batches per epoch, for smoke tests' },
  { name: 'quiet', type: 'bool', help: 'print only the final result' },
];

export interface CommonOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: 'sgd' | 'adam' | 'adamw';
  seed: number;
}

/** Applies --backend (before any tensor exists) and reports a missing native addon clearly. */
export function applyBackend(flags: ParsedFlags): void {
  const b = flags['backend'];
  if (typeof b === 'string') setBackend(b as BackendName);
}

/** One line about the backend in use: for native, its BLAS and thread count. */
export function describeBackend(): string {
  const info = backendInfo();
  if (info.name !== 'native') {
    const why = info['nativeAvailable'] === true ? 'native available: --backend native' : 'pure TypeScript';
    return `js (${why})`;
  }
  // e.g. { blas: 'OpenBLAS', blasVersion: 'OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ...', threads: 2 }
  const parts: string[] = [];
  const version = typeof info['blasVersion'] === 'string' ? info['blasVersion'].split(/\s+/).slice(0, 2).join(' ') : undefined;
  const blas = version ?? (typeof info['blas'] === 'string' ? info['blas'] : undefined);
  if (blas !== undefined) parts.push(blas);
  if (typeof info['threads'] === 'number') parts.push(`${info['threads']} thread${info['threads'] === 1 ? '' : 's'}`);
  return `native${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

/** `key  value` lines of the banner, keys aligned. */
export function printFacts(io: Io, title: string, facts: [string, string][]): void {
  const out = io.out;
  const w = Math.max(...facts.map(([k]) => k.length)) + 2;
  out.write(`${paint(out, 'bold', title)}\n`);
  for (const [k, v] of facts) {
    const [first, ...rest] = v.split('\n');
    out.write(`${paint(out, 'cyan', k.padEnd(w))}${first}\n`);
    for (const line of rest) out.write(`${' '.repeat(w)}${line}\n`);
  }
  out.write('\n');
}

/** The SVG goes next to the checkpoint (`run.safetensors` -> `run.svg`), else into --out or the cwd. */
export function chartPath(save: string | undefined, outDir: string | undefined, fallbackName: string): string {
  if (save !== undefined) {
    const ext = extname(save);
    return join(dirname(save), `${basename(save, ext)}.svg`);
  }
  return resolve(outDir ?? '.', fallbackName);
}

export function writeChart(file: string, history: TrainingHistory, title: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, renderTrainingChart(history, title));
}

/**
 * With --resume, the run's settings come from the checkpoint (that is what "continue exactly"
 * means). A flag that contradicts them is refused rather than silently ignored.
 */
export function checkResumeConflicts(flags: ParsedFlags, saved: { [key: string]: Json }, keys: [flag: string, configKey: string][]): void {
  for (const [flag, key] of keys) {
    const given = flags[flag];
    if (given === undefined || saved[key] === undefined) continue;
    if (given !== saved[key]) {
      throw new UsageError(
        `--${flag} ${String(given)} differs from the checkpoint's ${String(saved[key])}; a resumed run continues with the checkpoint's settings (drop --${flag}, or start a new run without --resume)`,
      );
    }
  }
}

export interface DemoContext {
  readonly io: Io;
  /** Set by tests to stop as if Ctrl-C had been pressed after N batches. */
  readonly stopAfterBatches?: number;
}

/**
 * Runs a demo's main: usage errors print the message and the usage (exit code 2), other errors
 * their message (exit code 1). Returns the exit code.
 */
export async function runDemo(
  argv: readonly string[],
  io: Io,
  usage: { command: string; summary: string; flags: FlagSpec[]; examples: string[] },
  body: (flags: ParsedFlags) => Promise<number>,
): Promise<number> {
  const usageText = () => formatUsage(usage.command, usage.summary, usage.flags, usage.examples);
  try {
    const flags = parseFlags(argv, usage.flags);
    if (flags['help'] === true) {
      io.out.write(usageText());
      return 0;
    }
    return await body(flags);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err.write(`${paint(io.err, 'red', 'error:')} ${e.message}\n\n${usageText()}`);
      return 2;
    }
    const msg = e instanceof Error ? e.message : String(e);
    io.err.write(`${paint(io.err, 'red', 'error:')} ${msg}\n`);
    if (process.env['TSGRAD_DEBUG'] && e instanceof Error) io.err.write(`${e.stack}\n`);
    return 1;
  }
}
