import { type Output, formatCount, formatDuration, paint, visibleLength } from './term.js';

export interface ProgressState {
  /** e.g. `epoch 2/10`. */
  readonly label: string;
  readonly done: number;
  readonly total: number;
  readonly elapsedSeconds: number;
  /** Running mean of the loss over the batches so far. */
  readonly loss?: number;
  /** Running accuracy (0..1) over the samples so far. */
  readonly accuracy?: number;
  readonly samplesPerSecond?: number;
  /** Extra text appended at the end (e.g. perplexity). */
  readonly extra?: string;
}

const FULL = '━';
const EMPTY = '─';

/** The text of one progress line: label, bar, count, ETA/elapsed, running metrics. */
export function renderProgress(out: Output, s: ProgressState, finished = false): string {
  const frac = s.total > 0 ? Math.min(1, s.done / s.total) : 1;
  const counter = `${String(s.done).padStart(String(s.total).length)}/${s.total}`;
  const eta = s.done > 0 ? (s.elapsedSeconds / s.done) * (s.total - s.done) : NaN;
  const time = finished || s.done >= s.total ? formatDuration(s.elapsedSeconds) : `ETA ${formatDuration(eta)}`;
  const metrics: string[] = [];
  if (s.loss !== undefined) metrics.push(`loss ${paint(out, 'yellow', s.loss.toFixed(4))}`);
  if (s.accuracy !== undefined) metrics.push(`acc ${paint(out, 'green', `${(s.accuracy * 100).toFixed(2)}%`)}`);
  if (s.samplesPerSecond !== undefined && Number.isFinite(s.samplesPerSecond)) {
    metrics.push(paint(out, 'gray', `${formatCount(s.samplesPerSecond)} samples/s`));
  }
  if (s.extra !== undefined) metrics.push(s.extra);
  const head = `${paint(out, 'bold', s.label)} `;
  const tail = ` ${counter} ${time.padEnd(7)}  ${metrics.join('  ')}`;
  // The bar takes what the terminal width leaves, between 10 and 30 columns.
  const room = out.columns - visibleLength(head) - visibleLength(tail) - 1;
  const width = Math.max(10, Math.min(30, room));
  const filled = Math.round(frac * width);
  const bar = paint(out, finished ? 'green' : 'cyan', FULL.repeat(filled)) + paint(out, 'gray', EMPTY.repeat(width - filled));
  return `${head}${bar}${tail}`;
}

/**
 * A per-epoch progress bar. On a terminal it redraws in place (at most ~12 times a second, so the
 * drawing never slows training); elsewhere (pipes, CI logs) only the finished line is written.
 */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly out: Output,
    private readonly enabled: boolean,
    private readonly now: () => number = () => performance.now(),
  ) {}

  update(state: ProgressState): void {
    if (!this.enabled || !this.out.isTTY) return;
    const t = this.now();
    if (this.drawn && t - this.lastDraw < 80 && state.done < state.total) return;
    this.lastDraw = t;
    this.drawn = true;
    this.out.write(`\r\x1b[K${renderProgress(this.out, state)}`);
  }

  /** Replaces the live bar with its final line (also written when not on a terminal); returns that line. */
  finish(state: ProgressState): string {
    const line = renderProgress(this.out, state, true);
    if (!this.enabled) return line;
    this.out.write(this.out.isTTY ? `\r\x1b[K${line}\n` : `${line}\n`);
    this.drawn = false;
    return line;
  }

  /** Erases a live bar so another message can be printed cleanly. */
  clear(): void {
    if (this.drawn && this.out.isTTY) this.out.write('\r\x1b[K');
    this.drawn = false;
  }
}
