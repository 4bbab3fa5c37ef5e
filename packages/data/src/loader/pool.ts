import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DatasetError, describeError } from '../errors.js';
import { decodeTransferred, deserializeError } from './transfer.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-entry.js';
import { specifierOf, type WorkerDatasetSpec } from './worker-spec.js';

const here = import.meta.url;
/** Running from TypeScript sources (tests, tsx): workers then need a TS loader and the "source" condition. */
const fromSource = here.endsWith('.ts');
const entryUrl = new URL(fromSource ? './worker-entry.ts' : './worker-entry.js', here).href;

const isTsSpecifier = (s: string): boolean => /\.(ts|mts|cts|tsx)$/.test(s);

/** The tsx ESM registration API, resolved from this package or the working directory; null if absent. */
function findTsxApi(): string | null {
  for (const base of [fileURLToPath(here), join(process.cwd(), 'noop.js')]) {
    try {
      const pkg = createRequire(base).resolve('tsx/package.json');
      const api = join(dirname(pkg), 'dist', 'esm', 'api', 'index.mjs');
      if (existsSync(api)) return pathToFileURL(api).href;
    } catch {
      // not resolvable from here; try the next base
    }
  }
  return null;
}

// Plain JS run by each worker: optionally registers tsx (so TypeScript dataset modules load),
// then imports the worker body. A failure here is reported as a fatal message, not lost.
const BOOTSTRAP = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsxApi) (await import(workerData.tsxApi)).register();
  await import(workerData.entryUrl);
})().catch((e) => parentPort.postMessage({ type: 'fatal', error: { name: e && e.name || 'Error', message: e && e.message || String(e), stack: e && e.stack } }));
`;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  indices: number[];
}

/**
 * A fixed set of worker threads, each holding its own copy of the dataset. Batch k goes to worker
 * k mod n, and each worker answers in order, so results (and per-worker random streams) do not
 * depend on timing.
 */
export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly pending: Map<number, Pending>[] = [];
  private readonly ready: Promise<void>[] = [];
  /** Why a worker can no longer answer (crash, exit, failed start); later requests fail with it. */
  private readonly dead: (Error | null)[] = [];
  private closed = false;
  private nextId = 0;

  constructor(
    readonly spec: WorkerDatasetSpec,
    readonly numWorkers: number,
    seeds: number[],
    collateInWorker: boolean,
    expectedLength: number,
  ) {
    const moduleSpecifier = specifierOf(spec.module);
    let tsxApi: string | null = null;
    if (fromSource || isTsSpecifier(moduleSpecifier)) {
      tsxApi = findTsxApi();
      if (tsxApi === null) {
        throw new Error(`DataLoader workers: loading TypeScript (${fromSource ? entryUrl : moduleSpecifier}) in a worker needs the tsx package; install it or point workerDataset.module at compiled JavaScript`);
      }
    }
    const execArgv = [...process.execArgv];
    if (fromSource && !execArgv.some((a) => a.startsWith('--conditions=source') || a === '-C')) execArgv.push('--conditions=source');

    for (let id = 0; id < numWorkers; id++) {
      const init: WorkerInit = { spec: { ...spec, module: moduleSpecifier }, workerId: id, numWorkers, seed: seeds[id]!, collate: collateInWorker };
      const w = new Worker(BOOTSTRAP, { eval: true, execArgv, workerData: { tsxApi, entryUrl, tsgradDataWorker: init } });
      const pending = new Map<number, Pending>();
      this.workers.push(w);
      this.dead.push(null);
      this.pending.push(pending);
      this.ready.push(
        new Promise<void>((resolve, reject) => {
          const fail = (e: Error) => {
            this.dead[id] ??= e;
            reject(e);
            for (const p of pending.values()) p.reject(e);
            pending.clear();
          };
          w.on('message', (msg: WorkerReply) => {
            if (msg.type === 'ready') {
              if (msg.length !== expectedLength) {
                fail(new RangeError(`DataLoader worker ${id}: the worker dataset has ${msg.length} samples but the main-thread dataset has ${expectedLength}; workerDataset must build the same dataset`));
              } else resolve();
            } else if (msg.type === 'fatal') {
              fail(new Error(`DataLoader worker ${id} failed to start: ${describeError(deserializeError(msg.error))}`, { cause: deserializeError(msg.error) }));
            } else {
              const p = pending.get(msg.id);
              if (!p) return;
              pending.delete(msg.id);
              if (msg.ok) p.resolve(decodeTransferred(msg.value));
              else if (msg.index >= 0) p.reject(new DatasetError(msg.index, deserializeError(msg.error), `dataset.get(${msg.index}) failed in DataLoader worker ${id}`));
              else p.reject(new Error(`collate failed in DataLoader worker ${id} for batch [${p.indices.join(', ')}]: ${describeError(deserializeError(msg.error))}`));
            }
          });
          w.on('error', (e) => fail(new Error(`DataLoader worker ${id} crashed: ${describeError(e)}`, { cause: e })));
          w.on('exit', (code) => {
            if (!this.closed) fail(new Error(`DataLoader worker ${id} exited unexpectedly with code ${code}`));
          });
        }),
      );
      // Readiness failures are reported through the batch promises; avoid an unhandled rejection here.
      this.ready[id]!.catch(() => {});
    }
  }

  /** Sends batch number `k` (its indices) to worker k mod n; resolves with the decoded result. */
  async run(k: number, indices: number[]): Promise<unknown> {
    const wid = k % this.numWorkers;
    await this.ready[wid];
    if (this.closed) throw new Error('DataLoader worker pool is closed');
    const dead = this.dead[wid];
    if (dead) throw dead;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending[wid]!.set(id, { resolve, reject, indices });
      this.workers[wid]!.postMessage({ type: 'batch', id, indices } satisfies WorkerRequest);
    });
  }

  /** Starts a new epoch: reseeds each worker's default generator (for persistent workers). */
  reseed(seeds: number[]): void {
    this.workers.forEach((w, i) => w.postMessage({ type: 'epoch', seed: seeds[i]! } satisfies WorkerRequest));
  }

  /** Keeps the pool from holding the process open while idle (persistent workers between epochs). */
  setIdle(idle: boolean): void {
    for (const w of this.workers) idle ? w.unref() : w.ref();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
