import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Tensor } from '@tsgrad/tensor';
import { CIFAR_RECORD_BYTES, parseCifarBatch } from '../formats/cifar.js';
import type { Image } from '../image.js';
import { tempDir } from '../test-utils/tmp.js';
import * as T from '../transforms/index.js';
import { CIFAR10 } from './cifar.js';

const root = tempDir('cifar');

/** A batch of n records: record r has label (r + seed) % 10 and R/G/B planes filled with r, 100 + r, 200 + p % 50. */
function batch(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n * CIFAR_RECORD_BYTES);
  for (let r = 0; r < n; r++) {
    const o = r * CIFAR_RECORD_BYTES;
    out[o] = (r + seed) % 10;
    for (let p = 0; p < 1024; p++) {
      out[o + 1 + p] = r;
      out[o + 1 + 1024 + p] = 100 + r;
      out[o + 1 + 2048 + p] = 200 + (p % 50);
    }
  }
  return out;
}

function writeAll(dir: string, opts: { gzFirst?: boolean } = {}) {
  mkdirSync(dir, { recursive: true });
  for (let k = 1; k <= 5; k++) {
    const b = batch(2, k);
    if (k === 1 && opts.gzFirst) writeFileSync(join(dir, 'data_batch_1.bin.gz'), gzipSync(b));
    else writeFileSync(join(dir, `data_batch_${k}.bin`), b);
  }
  writeFileSync(join(dir, 'test_batch.bin'), batch(3, 0));
}

describe('CIFAR-10 binary batches', () => {
  it('loads the five training batches in order, raw and gz, in the standard subdirectory', () => {
    writeAll(join(root, 'a', 'cifar-10-batches-bin'), { gzFirst: true });
    const ds = new CIFAR10(join(root, 'a'));
    expect(ds.length).toBe(10);
    expect([...ds.targets]).toEqual([1, 2, 2, 3, 3, 4, 4, 5, 5, 6]);
    const [x, y] = ds.get(3) as [Tensor, Tensor];
    expect(x.shape).toEqual([3, 32, 32]);
    expect(x.dtype).toBe('float32');
    const v = x.toTypedArray();
    expect(v[0]).toBeCloseTo(1 / 255);
    expect(v[1024]).toBeCloseTo(101 / 255);
    expect(v[2048 + 7]).toBeCloseTo(207 / 255);
    expect(y.item()).toBe(3);
    expect(ds.classes[0]).toBe('airplane');
    const test = new CIFAR10(join(root, 'a'), { train: false });
    expect(test.length).toBe(3);
  });

  it('gives transforms an HWC Image matching the default tensor', () => {
    writeAll(join(root, 'b'));
    writeFileSync(join(root, 'b', 'batches.meta.txt'), 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n');
    const plain = new CIFAR10(join(root, 'b'));
    const viaImage = new CIFAR10(join(root, 'b'), { transform: T.ToTensor() });
    const img = new CIFAR10(join(root, 'b'), { transform: (i: Image) => i }).get(1)[0];
    expect([img.data[0], img.data[1], img.data[2], img.data[3 * 7 + 2]]).toEqual([1, 101, 200, 207]);
    expect(viaImage.get(5)[0].toArray()).toEqual((plain.get(5)[0] as Tensor).toArray());
    expect(plain.classes).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
  });

  it('rejects truncated batches, bad labels, empty and missing files', () => {
    const good = batch(2, 0);
    expect(() => parseCifarBatch(good.subarray(0, CIFAR_RECORD_BYTES + 100), 'x.bin')).toThrow(
      /x\.bin: size 3173 is not a multiple of the 3073-byte CIFAR-10 record: 1 whole records, then a partial record of 100 bytes at offset 3073/,
    );
    const bad = good.slice();
    bad[CIFAR_RECORD_BYTES] = 10;
    expect(() => parseCifarBatch(bad, 'x.bin')).toThrow(/x\.bin: record 1: label 10 at offset 3073 is out of range: expected 0\.\.9/);
    expect(() => parseCifarBatch(new Uint8Array(0), 'x.bin')).toThrow(/empty CIFAR batch/);
    const dir = join(root, 'c');
    writeAll(dir);
    writeFileSync(join(dir, 'data_batch_4.bin'), good.subarray(0, 5000));
    expect(() => new CIFAR10(dir)).toThrow(/data_batch_4\.bin: size 5000 is not a multiple/);
    const missing = join(root, 'd');
    mkdirSync(missing);
    writeFileSync(join(missing, 'data_batch_1.bin'), good);
    expect(() => new CIFAR10(missing)).toThrow(/CIFAR10 batch data_batch_2\.bin not found/);
  });
});
