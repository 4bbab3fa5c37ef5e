import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Tensor, fromTypedArray, item, toTypedArray } from '@tsgrad/tensor';
import { noGrad } from '@tsgrad/autograd';
import * as nn from '@tsgrad/nn';
import type { CharModel, RecurrentState } from './models.js';
import type { Optimizer } from './optimizers.js';
import { Rng, mixSeed, sampleIndex } from './rng.js';
import type { BatchResult, EvalResult } from './train.js';

/** The framework's own TypeScript sources (packages/*\/src/**\/*.ts), found from this file's location. */
export function frameworkSourcesRoot(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = resolve(here, '../../../packages');
  return existsSync(root) ? root : null;
}

/** Concatenates packages/*\/src/**\/*.ts (sorted, so the text is the same on every machine). */
export function readFrameworkSources(root: string): { text: string; files: number } {
  const files: string[] = [];
  for (const pkg of readdirSync(root).sort()) {
    const src = join(root, pkg, 'src');
    if (!existsSync(src) || !statSync(src).isDirectory()) continue;
    for (const f of (readdirSync(src, { recursive: true }) as string[]).sort()) {
      if (f.endsWith('.ts') && !f.endsWith('.d.ts')) files.push(join(src, f));
    }
  }
  const parts = files.map((f) => `// ${relative(root, f)}\n${readFileSync(f, 'utf8')}`);
  return { text: parts.join('\n'), files: files.length };
}

/** Characters <-> ids. Characters missing from the vocabulary map to the first one. */
export class Vocabulary {
  private readonly index: Map<string, number>;

  constructor(readonly chars: readonly string[]) {
    this.index = new Map(chars.map((c, i) => [c, i]));
  }

  static fromText(text: string): Vocabulary {
    return new Vocabulary([...new Set(text)].sort());
  }

  get size(): number {
    return this.chars.length;
  }

  encode(text: string): Int32Array {
    const arr = [...text];
    const ids = new Int32Array(arr.length);
    for (let i = 0; i < arr.length; i++) ids[i] = this.index.get(arr[i]!) ?? 0;
    return ids;
  }

  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) s += this.chars[ids[i]!] ?? '';
    return s;
  }
}

/**
 * Scales all gradients down together when their global L2 norm exceeds `maxNorm`: the usual guard
 * against the occasional exploding gradient of a recurrent net trained on long windows.
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): number {
  let sq = 0;
  for (const p of params) {
    if (p.grad === null) continue;
    const g = toTypedArray(p.grad);
    for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!;
  }
  const norm = Math.sqrt(sq);
  if (norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    noGrad(() => {
      for (const p of params) if (p.grad !== null) p.grad.mul_(scale);
    });
  }
  return norm;
}

export interface CharTrainer {
  readonly batchesPerEpoch: number;
  runBatch(epoch: number, batch: number): BatchResult;
  evaluate(): EvalResult;
  sample(prompt: string, length: number, temperature: number, seed: number): string;
}

/**
 * Trains on random windows of the text: batch b of epoch e reads `batchSize` windows of
 * `seqLen + 1` characters at offsets fixed by (seed, e, b), and predicts each next character.
 * The held-out text (the last 5%) is scored in consecutive windows.
 */
export function charTrainer(opts: {
  model: CharModel;
  optimizer: Optimizer;
  vocab: Vocabulary;
  train: Int32Array;
  valid: Int32Array;
  seqLen: number;
  batchSize: number;
  batchesPerEpoch: number;
  seed: number;
  evalBatches: number;
}): CharTrainer {
  const { model, optimizer, vocab, train, valid, seqLen, batchSize, seed } = opts;
  const V = vocab.size;
  const T = seqLen;
  if (train.length < T + 2) throw new Error(`the training text has ${train.length} characters; it needs more than --seq-len + 1 = ${T + 1}`);

  const windows = (source: Int32Array, offsets: number[]): [Tensor, Tensor] => {
    const n = offsets.length;
    const inIds = new Int32Array(n * T);
    const target = new Int32Array(n * T);
    offsets.forEach((o, i) => {
      inIds.set(source.subarray(o, o + T), i * T);
      target.set(source.subarray(o + 1, o + T + 1), i * T);
    });
    return [fromTypedArray(inIds, [n, T]), fromTypedArray(target, [n * T])];
  };

  const score = (logits: Tensor, target: Tensor): { loss: Tensor; correct: number } => {
    const flat = logits.reshape([target.shape[0]!, V]);
    const loss = nn.F.crossEntropy(flat, target);
    const pred = toTypedArray(flat.detach().argmax(1));
    const y = toTypedArray(target);
    let correct = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] === y[i]) correct++;
    return { loss, correct };
  };

  return {
    batchesPerEpoch: opts.batchesPerEpoch,
    runBatch(epoch, batch) {
      const rng = new Rng(mixSeed(mixSeed(seed, epoch), batch));
      const offsets = Array.from({ length: batchSize }, () => rng.int(train.length - T - 1));
      const [x, y] = windows(train, offsets);
      model.train();
      optimizer.zeroGrad();
      const [logits] = model.forward(x);
      const { loss, correct } = score(logits, y);
      loss.backward();
      clipGradNorm(model.parameters(), 5);
      optimizer.step();
      return { loss: item(loss) as number, samples: batchSize, correct, scored: batchSize * T };
    },
    evaluate() {
      model.eval();
      const source = valid.length >= T + 2 ? valid : train;
      const starts: number[] = [];
      for (let o = 0; o + T + 1 <= source.length && starts.length < opts.evalBatches * batchSize; o += T) starts.push(o);
      let lossSum = 0;
      let correct = 0;
      let scored = 0;
      noGrad(() => {
        for (let i = 0; i < starts.length; i += batchSize) {
          const chunk = starts.slice(i, i + batchSize);
          const [x, y] = windows(source, chunk);
          const [logits] = model.forward(x);
          const r = score(logits, y);
          lossSum += (item(r.loss) as number) * chunk.length * T;
          correct += r.correct;
          scored += chunk.length * T;
        }
      });
      return { loss: lossSum / scored, accuracy: correct / scored };
    },
    sample(prompt, length, temperature, sampleSeed) {
      model.eval();
      const rng = new Rng(sampleSeed);
      const ids = vocab.encode(prompt.length > 0 ? prompt : vocab.chars[0]!);
      const out: number[] = [];
      noGrad(() => {
        // Warm up on the prompt, then feed one character at a time, carrying the recurrent state.
        let [logits, state] = model.forward(fromTypedArray(Int32Array.from(ids), [1, ids.length]), null as RecurrentState);
        let last = ids.length - 1;
        for (let i = 0; i < length; i++) {
          const row = toTypedArray(logits.select(1, last).reshape([V]));
          let max = -Infinity;
          for (let k = 0; k < V; k++) max = Math.max(max, row[k]!);
          const w = new Float64Array(V);
          for (let k = 0; k < V; k++) w[k] = Math.exp((row[k]! - max) / temperature);
          const next = sampleIndex(w, rng);
          out.push(next);
          [logits, state] = model.forward(fromTypedArray(Int32Array.of(next), [1, 1]), state);
          last = 0;
        }
      });
      return vocab.decode(out);
    },
  };
}
