import { describe, expect, it } from 'vitest';
import { assertClose, Generator, manualSeed, Tensor, tensor } from '@tsgrad/tensor';
import { makeImage, type Image } from '../image.js';
import * as T from './index.js';

const fixed = (...values: number[]) => {
  let k = 0;
  return { nextFloat64: () => values[k++ % values.length]! };
};
const grid3 = () => makeImage(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9), 3, 3, 1);
const rows = (img: Image) => Array.from({ length: img.height }, (_, y) => [...img.data.subarray(y * img.width, (y + 1) * img.width)]);

describe('transforms', () => {
  it('ToTensor turns uint8 HWC into float CHW in 0..1', () => {
    const img = makeImage(Uint8Array.of(0, 51, 255, 102, 204, 153, 1, 2, 3, 4, 5, 6), 2, 2, 3);
    const t = T.ToTensor()(img);
    expect(t.shape).toEqual([3, 2, 2]);
    expect(t.dtype).toBe('float32');
    assertClose(t, [[[0, 102 / 255], [1 / 255, 4 / 255]], [[51 / 255, 204 / 255], [2 / 255, 5 / 255]], [[1, 153 / 255], [3 / 255, 6 / 255]]]);
    const gray = new T.ToTensor()(grid3());
    expect(gray.shape).toEqual([1, 3, 3]);
    expect(() => T.ToTensor()({ data: new Uint8Array(3), height: 2, width: 2, channels: 1 })).toThrow(/3 bytes, expected 2x2x1/);
  });

  it('Normalize subtracts the mean and divides by the std per channel', () => {
    const x = tensor([[[1, 2]], [[3, 5]]], { dtype: 'float32' }); // [2, 1, 2]
    assertClose(T.Normalize([1, 1], [2, 4])(x), [[[0, 0.5]], [[0.5, 1]]]);
    assertClose(T.Normalize(1, 2)(x), [[[0, 0.5]], [[1, 2]]]);
    expect(() => T.Normalize([0, 0, 0], [1, 1, 1])(x)).toThrow(/3 mean\/std values for a tensor with 2 channels/);
    expect(() => T.Normalize([0], [0])).toThrow(/std\[0\] = 0/);
  });

  it('Compose and Lambda chain functions; factories work with and without new', () => {
    const t = new T.Compose([T.ToTensor(), new T.Lambda((x: Tensor) => x.mul(255)), T.Normalize([5], [1])]);
    assertClose(t(grid3()), [[[-4, -3, -2], [-1, 0, 1], [2, 3, 4]]], { atol: 1e-5 });
  });

  it('RandomCrop with padding picks the window the generator selects', () => {
    // Padded to 5x5; top = floor(u * 4) for a 2x2 crop.
    expect(rows(T.RandomCrop(2, { padding: 1, generator: fixed(0, 0) })(grid3()) as Image)).toEqual([[0, 0], [0, 1]]);
    expect(rows(T.RandomCrop(2, { padding: 1, generator: fixed(0.99, 0.99) })(grid3()) as Image)).toEqual([[9, 0], [0, 0]]);
    expect(rows(T.RandomCrop(2, { padding: 1, fill: 7, generator: fixed(0.25, 0.5) })(grid3()) as Image)).toEqual([[2, 3], [5, 6]]);
    expect(rows(T.RandomCrop(3, { padding: 1, paddingMode: 'edge', generator: fixed(0, 0) })(grid3()) as Image)).toEqual([[1, 1, 2], [1, 1, 2], [4, 4, 5]]);
    expect(rows(T.RandomCrop(3, { padding: 1, paddingMode: 'reflect', generator: fixed(0, 0) })(grid3()) as Image)).toEqual([[5, 4, 5], [2, 1, 2], [5, 4, 5]]);
    expect(() => T.RandomCrop(4)(grid3())).toThrow(/larger than the \(padded\) input 3x3/);
    const padded = T.RandomCrop(4, { padIfNeeded: true, generator: fixed(0) })(grid3()) as Image;
    expect(padded.height).toBe(4);
  });

  it('crops tensors [C, H, W] the same way as images', () => {
    const img = makeImage(Uint8Array.from({ length: 4 * 4 * 2 }, (_, i) => i), 4, 4, 2);
    const viaImage = T.ToTensor()(T.RandomCrop(3, { padding: 2, generator: new Generator(4) })(img) as Image);
    const viaTensor = T.RandomCrop(3, { padding: 2, generator: new Generator(4) })(T.ToTensor()(img)) as Tensor;
    expect(viaTensor.shape).toEqual([2, 3, 3]);
    assertClose(viaTensor, viaImage);
  });

  it('RandomHorizontalFlip mirrors with probability p', () => {
    expect(rows(T.RandomHorizontalFlip(0.5, { generator: fixed(0.1) })(grid3()) as Image)).toEqual([[3, 2, 1], [6, 5, 4], [9, 8, 7]]);
    expect(rows(T.RandomHorizontalFlip(0.5, { generator: fixed(0.9) })(grid3()) as Image)).toEqual([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(rows(T.RandomVerticalFlip(1)(grid3()) as Image)).toEqual([[7, 8, 9], [4, 5, 6], [1, 2, 3]]);
    const t = T.RandomHorizontalFlip(1)(tensor([[[1, 2], [3, 4]]], { dtype: 'float32' })) as Tensor;
    expect(t.toArray()).toEqual([[[2, 1], [4, 3]]]);
  });

  it('affine: exact 90° rotation, integer translation, identity', () => {
    const rot = T.affine(grid3(), { angle: 90, translate: [0, 0], scale: 1, shear: [0, 0] }) as Image;
    expect(rows(rot)).toEqual([[3, 6, 9], [2, 5, 8], [1, 4, 7]]);
    const back = T.affine(rot, { angle: -90, translate: [0, 0], scale: 1, shear: [0, 0] }) as Image;
    expect(rows(back)).toEqual(rows(grid3()));
    const shifted = T.affine(grid3(), { angle: 0, translate: [1, 0], scale: 1, shear: [0, 0] }, { fill: 0 }) as Image;
    expect(rows(shifted)).toEqual([[0, 1, 2], [0, 4, 5], [0, 7, 8]]);
    const bil = T.affine(tensor([[[0, 10], [20, 30]]], { dtype: 'float32' }), { angle: 0, translate: [0, 0], scale: 1, shear: [0, 0] }, { interpolation: 'bilinear' }) as Tensor;
    assertClose(bil, [[[0, 10], [20, 30]]]);
    // Half-pixel shift with bilinear averages neighbours.
    const half = T.affine(makeImage(Uint8Array.of(0, 100), 1, 2), { angle: 0, translate: [0.5, 0], scale: 1, shear: [0, 0] }, { interpolation: 'bilinear', fill: 0 }) as Image;
    expect([...half.data]).toEqual([0, 50]);
  });

  it('RandomRotation and RandomAffine are reproducible from their generator and from manualSeed', () => {
    const img = makeImage(Uint8Array.from({ length: 64 }, (_, i) => (i * 37) % 256), 8, 8);
    const a = T.RandomAffine(30, { translate: [0.1, 0.1], scale: [0.9, 1.1], shear: 10, generator: new Generator(3) });
    const b = T.RandomAffine(30, { translate: [0.1, 0.1], scale: [0.9, 1.1], shear: 10, generator: new Generator(3) });
    const ra = a(img) as Image;
    expect([...ra.data]).toEqual([...(b(img) as Image).data]);
    expect([...(a(img) as Image).data]).not.toEqual([...ra.data]);
    const rot = T.RandomRotation([10, 20]);
    manualSeed(77);
    const r1 = rot(img) as Image;
    manualSeed(77);
    expect([...(rot(img) as Image).data]).toEqual([...r1.data]);
    expect([...r1.data]).not.toEqual([...img.data]);
    expect(() => T.RandomRotation([5, 1])).toThrow(/min <= max/);
  });
});
