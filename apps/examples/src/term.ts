/**
 * Where the demos write: a terminal (colours, a progress bar redrawn in place) or a pipe/file/test
 * buffer (plain text, one line per finished epoch). Everything prints through an `Io` so the
 * demos can run in-process in tests and their output can be checked.
 */

export interface Output {
  write(text: string): void;
  /** Redraw-in-place is only used on a terminal. */
  readonly isTTY: boolean;
  readonly color: boolean;
  readonly columns: number;
}

export interface Io {
  readonly out: Output;
  readonly err: Output;
}

function streamOutput(stream: NodeJS.WriteStream): Output {
  const isTTY = stream.isTTY === true;
  const env = process.env;
  const color = env['NO_COLOR'] === undefined && (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0' ? true : isTTY && env['TERM'] !== 'dumb');
  return {
    write: (text) => void stream.write(text),
    isTTY,
    color,
    get columns() {
      return stream.columns ?? 100;
    },
  };
}

export function processIo(): Io {
  return { out: streamOutput(process.stdout), err: streamOutput(process.stderr) };
}

/** An `Io` that records everything (for tests, and for `--quiet` callers that want the text). */
export interface CapturedIo extends Io {
  stdout(): string;
  stderr(): string;
}

export function captureIo(opts: { isTTY?: boolean; color?: boolean; columns?: number } = {}): CapturedIo {
  const chunks = { out: [] as string[], err: [] as string[] };
  const make = (which: 'out' | 'err'): Output => ({
    write: (t) => void chunks[which].push(t),
    isTTY: opts.isTTY ?? false,
    color: opts.color ?? false,
    columns: opts.columns ?? 100,
  });
  return { out: make('out'), err: make('err'), stdout: () => chunks.out.join(''), stderr: () => chunks.err.join('') };
}

const codes = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
} as const;
export type Style = keyof typeof codes;

/** Wraps `text` in ANSI codes when the output supports colour. */
export function paint(out: Output, style: Style, text: string): string {
  if (!out.color) return text;
  const [on, off] = codes[style];
  return `\x1b[${on}m${text}\x1b[${off}m`;
}

/** `text` without ANSI colour codes. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

/** Length of `text` as displayed: ANSI escape sequences take no columns. */
export function visibleLength(text: string): number {
  return [...stripAnsi(text)].length;
}

/** `1234567` -> `1,234,567`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Seconds as `0.4s`, `12s`, `3m05s`, `1h02m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds - m * 60)).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h${String(m - h * 60).padStart(2, '0')}m`;
}

export function formatPercent(fraction: number, digits = 2): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** `1 epoch`, `3 epochs`. */
export function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
}
