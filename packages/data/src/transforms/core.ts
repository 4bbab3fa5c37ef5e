import { Tensor } from '@tsgrad/tensor';
import { BYTE_TO_UNIT, bytesToUnit, isImage, type Image } from '../image.js';

/** A transform is a function from one sample (or target) to another. */
export type Transform<I = any, O = any> = (input: I) => O;

/**
 * Transform factories work with or without `new` (`new ToTensor()` and `ToTensor()` both give
 * the transform function), so code ported from torchvision reads the same.
 */
export type TransformFactory<A extends unknown[], I, O> = {
  (...args: A): Transform<I, O>;
  new (...args: A): Transform<I, O>;
};

/** Makes a transform class callable both with and without `new` (torchvision style). */
export function factory<A extends unknown[], I, O>(make: (...args: A) => Transform<I, O>): TransformFactory<A, I, O> {
  // A plain function (not an arrow) can be called with new; returning a function object from it
  // makes `new` yield that function.
  const f = function (...args: A) {
    return make(...args);
  };
  return f as unknown as TransformFactory<A, I, O>;
}

/** Applies transforms in order. */
export const Compose = factory((transforms: readonly Transform[]): Transform => {
  const ts = [...transforms];
  ts.forEach((t, i) => {
    if (typeof t !== 'function') throw new TypeError(`Compose: transform ${i} is not a function`);
  });
  return (x) => ts.reduce((acc, t) => t(acc), x);
});

/** Wraps any function as a transform. */
export const Lambda: { <I, O>(fn: (x: I) => O): Transform<I, O>; new <I, O>(fn: (x: I) => O): Transform<I, O> } = factory((fn: (x: any) => any): Transform => {
  if (typeof fn !== 'function') throw new TypeError('Lambda: expected a function');
  return (x) => fn(x);
});

/** uint8 Image (HWC, or HW with channels 1) to float32 [C, H, W] with values in 0..1. */
export const ToTensor = factory((): Transform<Image, Tensor> => (img) => imageToTensor(img));

/** An HWC uint8 image as a float32 [C, H, W] tensor in [0, 1] (what `ToTensor` does). */
export function imageToTensor(img: Image): Tensor {
  if (!isImage(img)) throw new TypeError('ToTensor: expected an Image {data: Uint8Array, height, width, channels}');
  const { data, height: H, width: W } = img;
  const C = img.channels ?? 1;
  if (data.length !== H * W * C) throw new RangeError(`ToTensor: image data has ${data.length} bytes, expected ${H}x${W}x${C} = ${H * W * C}`);
  const out = new Float32Array(C * H * W);
  const hw = H * W;
  if (C === 1) bytesToUnit(data, 0, out, 0, hw);
  else
    for (let p = 0; p < hw; p++) {
      for (let c = 0; c < C; c++) out[c * hw + p] = BYTE_TO_UNIT[data[p * C + c]!]!;
    }
  return Tensor.fromBuffer(out, [C, H, W], 'float32');
}

/**
 * (x - mean[c]) / std[c] per channel of a float tensor [..., C, H, W] (or [C, H, W]). A single
 * number applies to every channel.
 */
export const Normalize = factory((mean: number | readonly number[], std: number | readonly number[]): Transform<Tensor, Tensor> => {
  const m = typeof mean === 'number' ? [mean] : [...mean];
  const s = typeof std === 'number' ? [std] : [...std];
  if (m.length !== s.length) throw new RangeError(`Normalize: mean has ${m.length} values but std has ${s.length}`);
  s.forEach((v, i) => {
    if (!(v !== 0 && Number.isFinite(v))) throw new RangeError(`Normalize: std[${i}] = ${v}; std must be finite and nonzero`);
  });
  return (x) => {
    if (!(x instanceof Tensor) || (x.dtype !== 'float32' && x.dtype !== 'float64')) throw new TypeError('Normalize: expected a float tensor [..., C, H, W] (apply ToTensor first)');
    if (x.ndim < 3) throw new RangeError(`Normalize: expected a tensor [..., C, H, W], got shape [${x.shape.join(', ')}]`);
    const C = x.shape[x.ndim - 3]!;
    if (m.length !== 1 && m.length !== C) throw new RangeError(`Normalize: ${m.length} mean/std values for a tensor with ${C} channels (shape [${x.shape.join(', ')}])`);
    const src = x.contiguous();
    const out = Tensor.empty(x.shape, x.dtype);
    const a = src.buffer;
    const b = out.buffer;
    const hw = x.shape[x.ndim - 2]! * x.shape[x.ndim - 1]!;
    const n = x.numel();
    for (let base = 0, plane = 0; base < n; base += hw, plane++) {
      const c = m.length === 1 ? 0 : plane % C;
      const mu = m[c]!;
      const sd = s[c]!;
      for (let i = 0; i < hw; i++) b[base + i] = (a[src.offset + base + i]! - mu) / sd;
    }
    return out;
  };
});
