import { allocLike, toPlanes, type ImageLike } from '../image.js';
import { defaultGenerator, randint, uniform, type RandomSource } from '../random.js';
import { factory, type Transform } from './core.js';

/**
 * Geometric transforms: work on uint8 Images (HWC) and on tensors [..., H, W] alike, returning the
 * same kind. Random ones draw from `generator` (default: the package's default generator, read at
 * call time, so `manualSeed` and per-worker seeding apply).
 */
type Size = number | readonly [number, number];
/** How padding is filled: a constant, the edge pixel, or a reflection. */
export type PaddingMode = 'constant' | 'edge' | 'reflect';
/** Resampling for geometric transforms: 'nearest' or 'bilinear'. */
export type Interpolation = 'nearest' | 'bilinear';

function sizeHW(size: Size, op: string): [number, number] {
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  if (!Number.isInteger(h) || !Number.isInteger(w) || h <= 0 || w <= 0) throw new RangeError(`${op}: size must be positive integers, got ${JSON.stringify(size)}`);
  return [h, w];
}

/** [left, top, right, bottom] from torchvision's padding forms: p, [lr, tb], [l, t, r, b]. */
function paddingLTRB(padding: number | readonly number[], op: string): [number, number, number, number] {
  const p = typeof padding === 'number' ? [padding] : [...padding];
  const out: [number, number, number, number] =
    p.length === 1 ? [p[0]!, p[0]!, p[0]!, p[0]!] : p.length === 2 ? [p[0]!, p[1]!, p[0]!, p[1]!] : p.length === 4 ? [p[0]!, p[1]!, p[2]!, p[3]!] : [NaN, 0, 0, 0];
  if (out.some((v) => !Number.isInteger(v) || v < 0)) throw new RangeError(`${op}: padding must be a non-negative integer or an array of 2 or 4 of them, got ${JSON.stringify(padding)}`);
  return out;
}

function fillFor(fill: number | readonly number[], c: number): number {
  return typeof fill === 'number' ? fill : (fill[c] ?? fill[0] ?? 0);
}

/** Maps a possibly out-of-range coordinate into [0, n) per padding mode; -1 means "use fill". */
function padCoord(i: number, n: number, mode: PaddingMode): number {
  if (i >= 0 && i < n) return i;
  if (mode === 'constant') return -1;
  if (mode === 'edge') return i < 0 ? 0 : n - 1;
  if (n === 1) return 0;
  // reflect without repeating the edge pixel: ... 2 1 | 0 1 2 ... n-1 | n-2 ...
  const period = 2 * (n - 1);
  let k = ((i % period) + period) % period;
  if (k >= n) k = period - k;
  return k;
}

/** Copies the h x w window at (top, left) of `x` (coordinates may reach into padding). */
export function cropWindow(x: ImageLike, top: number, left: number, h: number, w: number, fill: number | readonly number[] = 0, mode: PaddingMode = 'constant'): ImageLike {
  const src = toPlanes(x, 'crop');
  const { out, planes: dst } = allocLike(x, h, w);
  for (let c = 0; c < src.C; c++) {
    const f = fillFor(fill, c);
    for (let y = 0; y < h; y++) {
      const sy = padCoord(top + y, src.H, mode);
      for (let xx = 0; xx < w; xx++) {
        const sx = padCoord(left + xx, src.W, mode);
        const v = sy < 0 || sx < 0 ? f : src.buf[src.offset + c * src.sc + sy * src.sy + sx * src.sx]!;
        dst.buf[c * dst.sc + y * dst.sy + xx * dst.sx] = v;
      }
    }
  }
  return out;
}

/** Options of `RandomCrop`: `padding`, `padIfNeeded`, `fill`, `paddingMode`. */
export interface RandomCropOptions {
  /** Padding added before cropping: p, [left/right, top/bottom] or [left, top, right, bottom]. */
  padding?: number | readonly number[];
  /** Pad further when the image is smaller than the crop. */
  padIfNeeded?: boolean;
  /** Value for constant padding (per channel with an array). Default 0. */
  fill?: number | readonly number[];
  paddingMode?: PaddingMode;
  generator?: RandomSource;
}

/** Crops a random size[0] x size[1] window, after optional padding (the classic CIFAR augmentation). */
export const RandomCrop = factory((size: Size, options: RandomCropOptions = {}): Transform<ImageLike, ImageLike> => {
  const [h, w] = sizeHW(size, 'RandomCrop');
  const [pl, pt, pr, pb] = paddingLTRB(options.padding ?? 0, 'RandomCrop');
  const mode = options.paddingMode ?? 'constant';
  const fill = options.fill ?? 0;
  return (x) => {
    const p = toPlanes(x, 'RandomCrop');
    let [l, t] = [pl, pt];
    let Hp = p.H + pt + pb;
    let Wp = p.W + pl + pr;
    if (options.padIfNeeded) {
      if (Hp < h) { t += h - Hp; Hp += 2 * (h - Hp); }
      if (Wp < w) { l += w - Wp; Wp += 2 * (w - Wp); }
    }
    if (Hp < h || Wp < w) throw new RangeError(`RandomCrop: crop ${h}x${w} is larger than the (padded) input ${Hp}x${Wp}`);
    const gen = options.generator ?? defaultGenerator();
    const top = randint(gen, Hp - h + 1);
    const left = randint(gen, Wp - w + 1);
    return cropWindow(x, top - t, left - l, h, w, fill, mode);
  };
});

/** Crops the central window (padding with 0 when the input is smaller). */
export const CenterCrop = factory((size: Size): Transform<ImageLike, ImageLike> => {
  const [h, w] = sizeHW(size, 'CenterCrop');
  return (x) => {
    const p = toPlanes(x, 'CenterCrop');
    return cropWindow(x, Math.round((p.H - h) / 2), Math.round((p.W - w) / 2), h, w);
  };
});

function flip(x: ImageLike, horizontal: boolean): ImageLike {
  const s = toPlanes(x, 'flip');
  const { out, planes: d } = allocLike(x, s.H, s.W);
  for (let c = 0; c < s.C; c++)
    for (let y = 0; y < s.H; y++)
      for (let xx = 0; xx < s.W; xx++) {
        const sy = horizontal ? y : s.H - 1 - y;
        const sx = horizontal ? s.W - 1 - xx : xx;
        d.buf[c * d.sc + y * d.sy + xx * d.sx] = s.buf[s.offset + c * s.sc + sy * s.sy + sx * s.sx]!;
      }
  return out;
}

/** Flips an image or a [..., H, W] tensor left to right. */
export const hflip = (x: ImageLike): ImageLike => flip(x, true);
/** Flips an image or a [..., H, W] tensor top to bottom. */
export const vflip = (x: ImageLike): ImageLike => flip(x, false);

function checkP(p: number, op: string): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${op}: p must be in [0, 1], got ${p}`);
}

/** Mirrors left-right with probability p (default 0.5). */
export const RandomHorizontalFlip = factory((p: number = 0.5, options: { generator?: RandomSource } = {}): Transform<ImageLike, ImageLike> => {
  checkP(p, 'RandomHorizontalFlip');
  return (x) => ((options.generator ?? defaultGenerator()).nextFloat64() < p ? hflip(x) : x);
});

/** Mirrors top-bottom with probability p (default 0.5). */
export const RandomVerticalFlip = factory((p: number = 0.5, options: { generator?: RandomSource } = {}): Transform<ImageLike, ImageLike> => {
  checkP(p, 'RandomVerticalFlip');
  return (x) => ((options.generator ?? defaultGenerator()).nextFloat64() < p ? vflip(x) : x);
});

/** One affine transform: rotation angle (degrees), translation (pixels), scale and shear. */
export interface AffineParams {
  /** Counter-clockwise rotation in degrees (as seen with y pointing down, like torchvision). */
  angle: number;
  /** Shift in pixels [dx, dy]. */
  translate: [number, number];
  scale: number;
  /** Shear angles in degrees [x, y]. */
  shear: [number, number];
}

/** How a geometric transform samples: `interpolation` and the `fill` value outside the image. */
export interface WarpOptions {
  interpolation?: Interpolation;
  fill?: number | readonly number[];
}

/**
 * Applies an affine map about the image center: output pixel p takes the input at
 * center + M⁻¹(p - center - translate), M = rotate · shear · scale. Pixels that map outside
 * the input get `fill`.
 */
export function affine(x: ImageLike, params: AffineParams, options: WarpOptions = {}): ImageLike {
  const s = toPlanes(x, 'affine');
  const { out, planes: d } = allocLike(x, s.H, s.W);
  const rad = (params.angle * Math.PI) / 180;
  const shx = Math.tan((params.shear[0] * Math.PI) / 180);
  const shy = Math.tan((params.shear[1] * Math.PI) / 180);
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  // M = R · Sh · S with R = [[cos, sin], [-sin, cos]], Sh = [[1, shx], [shy, 1]], S = scale·I.
  const sc = params.scale;
  if (!(sc > 0)) throw new RangeError(`affine: scale must be positive, got ${sc}`);
  const m00 = sc * (cos + sin * shy);
  const m01 = sc * (cos * shx + sin);
  const m10 = sc * (-sin + cos * shy);
  const m11 = sc * (-sin * shx + cos);
  const det = m00 * m11 - m01 * m10;
  if (Math.abs(det) < 1e-12) throw new RangeError('affine: the transform is singular (shear of ±90°?)');
  const i00 = m11 / det;
  const i01 = -m01 / det;
  const i10 = -m10 / det;
  const i11 = m00 / det;
  const cx = s.W / 2;
  const cy = s.H / 2;
  const bilinear = options.interpolation === 'bilinear';
  const fill = options.fill ?? 0;
  const isByte = s.buf instanceof Uint8Array;
  for (let y = 0; y < s.H; y++) {
    for (let xx = 0; xx < s.W; xx++) {
      const u = xx + 0.5 - cx - params.translate[0];
      const v = y + 0.5 - cy - params.translate[1];
      const fx = i00 * u + i01 * v + cx - 0.5;
      const fy = i10 * u + i11 * v + cy - 0.5;
      for (let c = 0; c < s.C; c++) {
        const f = fillFor(fill, c);
        const base = s.offset + c * s.sc;
        let val: number;
        if (!bilinear) {
          const ix = Math.round(fx);
          const iy = Math.round(fy);
          val = ix >= 0 && ix < s.W && iy >= 0 && iy < s.H ? s.buf[base + iy * s.sy + ix * s.sx]! : f;
        } else {
          const x0 = Math.floor(fx);
          const y0 = Math.floor(fy);
          const ax = fx - x0;
          const ay = fy - y0;
          const at = (iy: number, ix: number) => (ix >= 0 && ix < s.W && iy >= 0 && iy < s.H ? s.buf[base + iy * s.sy + ix * s.sx]! : f);
          val = (1 - ay) * ((1 - ax) * at(y0, x0) + ax * at(y0, x0 + 1)) + ay * ((1 - ax) * at(y0 + 1, x0) + ax * at(y0 + 1, x0 + 1));
          if (isByte) val = Math.min(255, Math.max(0, Math.round(val)));
        }
        d.buf[c * d.sc + y * d.sy + xx * d.sx] = val;
      }
    }
  }
  return out;
}

function range(v: number | readonly [number, number], op: string, what: string, symmetric = true): [number, number] {
  if (typeof v === 'number') {
    if (symmetric && v < 0) throw new RangeError(`${op}: ${what} must be non-negative when a single number, got ${v}`);
    return symmetric ? [-v, v] : [v, v];
  }
  if (v.length !== 2 || !(v[0] <= v[1])) throw new RangeError(`${op}: ${what} must be [min, max] with min <= max, got ${JSON.stringify(v)}`);
  return [v[0], v[1]];
}

/** Options of `RandomAffine`: ranges of `translate`, `scale`, `shear`, plus interpolation and fill. */
export interface RandomAffineOptions extends WarpOptions {
  /** Maximum absolute fractions [a, b] of width and height to shift by. */
  translate?: readonly [number, number];
  /** Scale factor range [min, max]. */
  scale?: readonly [number, number];
  /** Shear in degrees: s (x in [-s, s]), [min, max] (x), or [xmin, xmax, ymin, ymax]. */
  shear?: number | readonly number[];
  generator?: RandomSource;
}

/** Random rotation (degrees: d for [-d, d], or [min, max]), translation, scale and shear. */
export const RandomAffine = factory((degrees: number | readonly [number, number], options: RandomAffineOptions = {}): Transform<ImageLike, ImageLike> => {
  const [dlo, dhi] = range(degrees, 'RandomAffine', 'degrees');
  const tr = options.translate;
  if (tr && (tr.length !== 2 || tr.some((t) => !(t >= 0 && t <= 1)))) throw new RangeError(`RandomAffine: translate must be [a, b] with fractions in [0, 1], got ${JSON.stringify(tr)}`);
  const sc = options.scale ? range(options.scale as [number, number], 'RandomAffine', 'scale', false) : null;
  if (sc && !(sc[0] > 0)) throw new RangeError(`RandomAffine: scale must be positive, got ${JSON.stringify(options.scale)}`);
  let shear: [number, number, number, number] | null = null;
  if (options.shear !== undefined) {
    const s = options.shear;
    if (typeof s === 'number') shear = [-s, s, 0, 0];
    else if (s.length === 2) shear = [s[0]!, s[1]!, 0, 0];
    else if (s.length === 4) shear = [s[0]!, s[1]!, s[2]!, s[3]!];
    else throw new RangeError(`RandomAffine: shear must be a number or an array of 2 or 4 numbers, got ${JSON.stringify(s)}`);
  }
  return (x) => {
    const p = toPlanes(x, 'RandomAffine');
    const gen = options.generator ?? defaultGenerator();
    const angle = uniform(gen, dlo, dhi);
    const translate: [number, number] = tr ? [Math.round(uniform(gen, -tr[0] * p.W, tr[0] * p.W)), Math.round(uniform(gen, -tr[1] * p.H, tr[1] * p.H))] : [0, 0];
    const scale = sc ? uniform(gen, sc[0], sc[1]) : 1;
    const sh: [number, number] = shear ? [uniform(gen, shear[0], shear[1]), uniform(gen, shear[2], shear[3])] : [0, 0];
    return affine(x, { angle, translate, scale, shear: sh }, options);
  };
});

/** Random rotation about the center by an angle from [-d, d] (or [min, max]) degrees. */
export const RandomRotation = factory((degrees: number | readonly [number, number], options: WarpOptions & { generator?: RandomSource } = {}): Transform<ImageLike, ImageLike> => {
  const [lo, hi] = range(degrees, 'RandomRotation', 'degrees');
  return (x) => {
    const gen = options.generator ?? defaultGenerator();
    return affine(x, { angle: uniform(gen, lo, hi), translate: [0, 0], scale: 1, shear: [0, 0] }, options);
  };
});

