/**
 * The body of a DataLoader worker thread: builds the dataset from its spec, then answers batch
 * requests one at a time, in arrival order (so per-worker random streams stay deterministic).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { defaultCollate } from '../collate.js';
import { isPromise, type MapDataset } from '../dataset.js';
import { manualSeed } from '@tsgrad/tensor';
import { buildDatasetFromSpec, type WorkerDatasetSpec } from './worker-spec.js';
import { encodeForTransfer, serializeError } from './transfer.js';

export interface WorkerInit {
  spec: WorkerDatasetSpec;
  workerId: number;
  numWorkers: number;
  seed: number;
  collate: boolean;
}

export type WorkerRequest = { type: 'batch'; id: number; indices: number[] } | { type: 'epoch'; seed: number };
export type WorkerReply =
  | { type: 'ready'; length: number }
  | { type: 'fatal'; error: ReturnType<typeof serializeError> }
  | { type: 'batch'; id: number; ok: true; value: unknown }
  | { type: 'batch'; id: number; ok: false; index: number; error: ReturnType<typeof serializeError> };

/** What a worker can learn about itself (as torch get_worker_info), valid inside worker threads only. */
export let workerInfo: { id: number; numWorkers: number; seed: number } | null = null;

const port = parentPort;
if (port !== null && (workerData as { tsgradDataWorker?: WorkerInit } | undefined)?.tsgradDataWorker) {
  const init = (workerData as { tsgradDataWorker: WorkerInit }).tsgradDataWorker;
  workerInfo = { id: init.workerId, numWorkers: init.numWorkers, seed: init.seed };
  manualSeed(init.seed);
  let dataset: MapDataset<unknown> | null = null;
  let chain: Promise<void> = buildDatasetFromSpec(init.spec).then(
    (d) => {
      dataset = d;
      port.postMessage({ type: 'ready', length: d.length } satisfies WorkerReply);
    },
    (e) => {
      port.postMessage({ type: 'fatal', error: serializeError(e) } satisfies WorkerReply);
    },
  );

  const runBatch = async (id: number, indices: number[]): Promise<void> => {
    const ds = dataset;
    if (ds === null) return; // construction failed; the main thread already has the fatal error
    const samples: unknown[] = [];
    for (const i of indices) {
      try {
        const v = ds.get(i);
        samples.push(isPromise(v) ? await v : v);
      } catch (e) {
        port.postMessage({ type: 'batch', id, ok: false, index: i, error: serializeError(e) } satisfies WorkerReply);
        return;
      }
    }
    let out: unknown;
    try {
      out = init.collate ? defaultCollate(samples) : samples;
    } catch (e) {
      port.postMessage({ type: 'batch', id, ok: false, index: -1, error: serializeError(e) } satisfies WorkerReply);
      return;
    }
    const { value, transfer } = encodeForTransfer(out, init.collate);
    port.postMessage({ type: 'batch', id, ok: true, value } satisfies WorkerReply, transfer);
  };

  port.on('message', (msg: WorkerRequest) => {
    if (msg.type === 'epoch') {
      chain = chain.then(() => {
        manualSeed(msg.seed);
        if (workerInfo) workerInfo.seed = msg.seed;
      });
    } else {
      chain = chain.then(() => runBatch(msg.id, msg.indices));
    }
  });
}
