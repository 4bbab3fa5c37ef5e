/** Timing helpers shared by the bench workloads: warm-up, repetitions, median and spread. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function summarize(times: readonly number[]): Summary {
  const s = [...times].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]!, n: s.length };
}

/** Seconds per call of `fn`, after `warmup` untimed calls. */
export function timeit(fn: () => void, reps: number, warmup: number): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return out;
}

/**
 * Like `timeit`, but warms up for `warmSeconds` of calls (at least two) instead of a fixed count:
 * throughput figures (W1's GFLOPS) are steady-state ones. A fresh process needs a few hundred
 * 256x256 products before its allocator reuses freed output buffers rather than faulting in new
 * pages, and before the JIT has compiled the pure-TS kernels; the PyTorch worker warms up the same way.
 */
export function timeitWarm(fn: () => void, reps: number, warmSeconds: number): number[] {
  const until = process.hrtime.bigint() + BigInt(Math.round(warmSeconds * 1e9));
  let calls = 0;
  while (calls < 2 || process.hrtime.bigint() < until) { fn(); calls++; }
  return timeit(fn, reps, 0);
}

/**
 * Per-call cost of a cheap `fn` in a long-running loop: time batches of `inner` calls and divide,
 * after `warmSeconds` of warm-up batches (at least one). A training step calls a few hundred JS
 * functions that V8 compiles over the first several hundred steps (docs/backends.md), so W6
 * warms up for a second on both sides, as a training run's later steps are.
 */
export function perCall(fn: () => void, inner: number, batches = 7, warmSeconds = 1): Summary {
  const t = timeitWarm(() => { for (let i = 0; i < inner; i++) fn(); }, batches, warmSeconds);
  const s = summarize(t);
  return { median: s.median / inner, min: s.min / inner, max: s.max / inner, n: s.n };
}

export function scale(s: Summary, k: number): Summary {
  return { median: s.median * k, min: s.min * k, max: s.max * k, n: s.n };
}

export function rssMB(): number {
  return process.memoryUsage().rss / 2 ** 20;
}
