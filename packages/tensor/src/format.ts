import { inspect } from 'node:util';
import { isFloating } from './dtype.js';
import { shapeToString } from './layout.js';
import { Tensor } from './tensor.js';
import { toTypedArray } from './ops/inspect.js';

/**
 * PyTorch-like printing (torch/_tensor_str.py's rules): `tensor([[1.5000, 2.0000], ...])`.
 *
 * - Floats: 4 decimals; when every finite nonzero value is an integer, `1.` style ("int mode");
 *   scientific notation (`1.0000e+08`) when max/min of the nonzero magnitudes exceeds 1000, the
 *   largest exceeds 1e8, or (outside int mode) the smallest is below 1e-4. Ties round half to even,
 *   as Python's format does. Columns are right-aligned to the widest value.
 * - int32 prints plainly, bool as `true`/`false`.
 * - Over 1000 elements, each dim longer than 6 shows its first and last 3 entries around `...`.
 * - Suffixes: `dtype=...` unless float32, int32 or bool (the default dtypes here); `size=[...]` for
 *   empty non-1-D tensors; `gradFn=<Name>` or `requiresGrad=true`.
 * `setPrintOptions` changes precision, threshold, edgeItems, lineWidth and sciMode.
 */
export interface PrintOptions {
  precision: number;
  threshold: number;
  edgeItems: number;
  lineWidth: number;
  /** Force (true) or forbid (false) scientific notation; null decides automatically. */
  sciMode: boolean | null;
}

const DEFAULTS: PrintOptions = { precision: 4, threshold: 1000, edgeItems: 3, lineWidth: 80, sciMode: null };
const printOptions: PrintOptions = { ...DEFAULTS };

/** Changes how tensors print; `setPrintOptions()` with no argument restores the defaults. */
export function setPrintOptions(opts?: Partial<PrintOptions>): void {
  if (opts === undefined) { Object.assign(printOptions, DEFAULTS); return; }
  for (const key of ['precision', 'threshold', 'edgeItems', 'lineWidth'] as const) {
    const v = opts[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new RangeError(`setPrintOptions: ${key} must be a non-negative integer, got ${v}`);
  }
  if (opts.precision !== undefined && opts.precision > 20) throw new RangeError(`setPrintOptions: precision must be at most 20, got ${opts.precision}`);
  Object.assign(printOptions, opts);
}

/** The current printing options (see `setPrintOptions`). */
export function getPrintOptions(): PrintOptions {
  return { ...printOptions };
}

// ---- number formatting with Python's round-half-even -----------------------------------------

/** Whether the double x equals the decimal written in `s` exactly (BigInt arithmetic, no rounding). */
function exactlyEquals(x: number, s: string): boolean {
  const m = /^-?(\d+)(?:\.(\d*))?(?:e([+-]\d+))?$/.exec(s);
  if (m === null) return false;
  const frac = m[2] ?? '';
  const digits = BigInt(m[1]! + frac);
  const exp10 = (m[3] === undefined ? 0 : parseInt(m[3], 10)) - frac.length;
  // x = mant * 2^exp2 exactly.
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, Math.abs(x));
  const hi = buf.getUint32(0), lo = buf.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp2: number;
  if (biased === 0) exp2 = -1074;
  else { mant |= 1n << 52n; exp2 = biased - 1075; }
  let left = mant, right = digits;
  if (exp2 >= 0) left <<= BigInt(exp2); else right <<= BigInt(-exp2);
  if (exp10 >= 0) right *= 10n ** BigInt(exp10); else left *= 10n ** BigInt(-exp10);
  return left === right;
}

/**
 * `format(x, digits)` (toFixed or toExponential) with ties rounded half to even, as Python does;
 * JavaScript rounds exact ties away from zero.
 */
function roundHalfEven(x: number, digits: number, format: (v: number, d: number) => string): string {
  const longer = format(x, digits + 1);
  const mantissa = longer.split('e')[0]!;
  if (mantissa.endsWith('5') && exactlyEquals(x, longer)) {
    const prev = mantissa.replace('.', '').at(-2)!;
    if ((prev.charCodeAt(0) - 48) % 2 === 0) {
      // Even digit before the tie: truncate (drop the 5, and a dangling '.').
      const [m, e] = longer.split('e');
      let t = m!.slice(0, -1);
      if (t.endsWith('.')) t = t.slice(0, -1);
      return e === undefined ? t : `${t}e${e}`;
    }
  }
  return format(x, digits);
}

function fixed(x: number, digits: number): string {
  return roundHalfEven(x, digits, (v, d) => v.toFixed(d));
}

/** Python's `{:.Ne}`: at least two exponent digits (`1.0000e+08`). */
function scientific(x: number, digits: number): string {
  const s = roundHalfEven(x, digits, (v, d) => v.toExponential(d));
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

function nonFinite(x: number): string {
  return x !== x ? 'nan' : x > 0 ? 'inf' : '-inf';
}

/** Decides the number format of a tensor's (shown) values and pads each one to a common width. */
class Formatter {
  private intMode = true;
  private sciMode = false;
  private maxWidth = 1;

  constructor(private readonly kind: 'float' | 'int' | 'bool', values: ArrayLike<number>) {
    const p = printOptions.precision;
    if (kind !== 'float') {
      for (let i = 0; i < values.length; i++) this.maxWidth = Math.max(this.maxWidth, this.raw(values[i]!).length);
      return;
    }
    const finite: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (Number.isFinite(v) && v !== 0) finite.push(v);
    }
    if (finite.length > 0) {
      let lo = Infinity, hi = 0;
      for (const v of finite) {
        const a = Math.abs(v);
        lo = Math.min(lo, a); hi = Math.max(hi, a);
        if (Math.ceil(v) !== v) this.intMode = false;
      }
      const wide = hi / lo > 1000 || hi > 1e8;
      if (this.intMode) {
        if (wide) {
          this.sciMode = true;
          for (const v of finite) this.maxWidth = Math.max(this.maxWidth, scientific(v, p).length);
        } else for (const v of finite) this.maxWidth = Math.max(this.maxWidth, v.toFixed(0).length + 1);
      } else if (wide || lo < 1e-4) {
        this.sciMode = true;
        for (const v of finite) this.maxWidth = Math.max(this.maxWidth, scientific(v, p).length);
      } else for (const v of finite) this.maxWidth = Math.max(this.maxWidth, fixed(v, p).length);
    }
    if (printOptions.sciMode !== null) this.sciMode = printOptions.sciMode;
  }

  private raw(v: number): string {
    if (this.kind === 'bool') return v !== 0 ? 'true' : 'false';
    if (this.kind === 'int') return String(v);
    const p = printOptions.precision;
    if (!Number.isFinite(v)) return nonFinite(v);
    // JS drops the sign of -0 when formatting; Python (and so torch) keeps it.
    const sign = Object.is(v, -0) ? '-' : '';
    if (this.sciMode) return sign + scientific(v, p);
    if (this.intMode) return `${sign}${v.toFixed(0)}.`;
    return sign + fixed(v, p);
  }

  get width(): number {
    return this.maxWidth;
  }

  format(v: number): string {
    return this.raw(v).padStart(this.maxWidth, ' ');
  }
}

/** Flat row-major offsets of the positions shown (all, or the edges of each long dim). */
function shownIndices(shape: readonly number[], summarize: boolean): number[] {
  const e = printOptions.edgeItems;
  const keep = (n: number): number[] => {
    if (summarize && n > 2 * e) return [...Array.from({ length: e }, (_, i) => i), ...Array.from({ length: e }, (_, i) => n - e + i)];
    return Array.from({ length: n }, (_, i) => i);
  };
  let flat = [0];
  for (const n of shape) {
    const ks = keep(n);
    const next: number[] = [];
    for (const f of flat) for (const k of ks) next.push(f * n + k);
    flat = next;
  }
  return flat;
}

function body(values: ArrayLike<number>, shape: readonly number[], fmt: Formatter, summarize: boolean, indent: number): string {
  const e = printOptions.edgeItems;
  const strides: number[] = [];
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { strides[d] = acc; acc *= shape[d]!; }
  const rec = (d: number, base: number, ind: number): string => {
    const n = shape[d]!;
    const cut = summarize && n > 2 * e;
    const positions = cut ? [...Array.from({ length: e }, (_, i) => i), -1, ...Array.from({ length: e }, (_, i) => n - e + i)] : Array.from({ length: n }, (_, i) => i);
    if (d === shape.length - 1) {
      const items = positions.map((i) => (i === -1 ? ' ...' : fmt.format(values[base + i * strides[d]!]!)));
      const perLine = Math.max(1, Math.floor((printOptions.lineWidth - ind) / (fmt.width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
      return `[${lines.join(`,\n${' '.repeat(ind + 1)}`)}]`;
    }
    const parts = positions.map((i) => (i === -1 ? '...' : rec(d + 1, base + i * strides[d]!, ind + 1)));
    return `[${parts.join(`,${'\n'.repeat(shape.length - d - 1)}${' '.repeat(ind + 1)}`)}]`;
  };
  return rec(0, 0, indent);
}

/** The printed form of a tensor, as `print(t)` in PyTorch (with tsgrad's names in the suffixes). */
export function formatTensor(t: Tensor): string {
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  const defaultDType = t.dtype === 'float32' || t.dtype === 'int32' || t.dtype === 'bool';
  let text: string;
  if (t.numel() === 0) {
    if (t.ndim !== 1) suffixes.push(`size=${shapeToString(t.shape)}`);
    if (t.dtype !== 'float32') suffixes.push(`dtype=${t.dtype}`);
    text = '[]';
  } else {
    if (!defaultDType) suffixes.push(`dtype=${t.dtype}`);
    const kind = isFloating(t.dtype) ? 'float' : t.dtype === 'bool' ? 'bool' : 'int';
    const all = toTypedArray(t);
    const summarize = all.length > printOptions.threshold;
    const shown = shownIndices(t.shape, summarize);
    const sample = summarize ? shown.map((i) => all[i]!) : all;
    const fmt = new Formatter(kind, sample);
    text = t.ndim === 0 ? fmt.format(all[0]!) : body(all, t.shape, fmt, summarize, indent);
  }
  if (t.gradFn !== null) suffixes.push(`gradFn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) suffixes.push('requiresGrad=true');
  // Suffixes go on the last line, or on a new line when they would pass the line width.
  let out = prefix + text;
  let lastLine = out.length - out.lastIndexOf('\n') + 1;
  for (const s of suffixes) {
    if (lastLine + s.length + 2 > printOptions.lineWidth) {
      out += `,\n${' '.repeat(indent)}${s}`;
      lastLine = indent + s.length;
    } else {
      out += `, ${s}`;
      lastLine += s.length + 2;
    }
  }
  return `${out})`;
}

declare module './tensor.js' {
  interface Tensor {
    toString(): string;
  }
}

const P = Tensor.prototype;
P.toString = function () { return formatTensor(this); };
(P as unknown as Record<symbol, unknown>)[inspect.custom] = function (this: Tensor) { return formatTensor(this); };
