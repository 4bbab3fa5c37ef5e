import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '@tsgrad/tensor';
import { DataLoader } from '../loader/dataloader.js';
import { tempDir } from '../test-utils/tmp.js';
import { CharDataset, CharVocab } from './text.js';

const dir = tempDir('text');

describe('character-level text dataset', () => {
  it('builds a sorted vocabulary and round-trips encode/decode (including astral characters)', () => {
    const v = new CharVocab('hello, wörld 🙂');
    expect(v.chars).toEqual([' ', ',', 'd', 'e', 'h', 'l', 'o', 'r', 'w', 'ö', '🙂']);
    expect([...v.encode('hello')]).toEqual([4, 3, 5, 5, 6]);
    expect(v.decode(v.encode('wörld 🙂'))).toBe('wörld 🙂');
    expect(() => v.encode('help')).toThrow(/character "p" at position 3 is not in the vocabulary/);
    expect(() => v.decode([99])).toThrow(/id 99 at position 0 is out of range/);
  });

  it('yields (input, target) shifted by one, int32 [seqLen]', () => {
    const ds = new CharDataset('abcdefg', { seqLen: 3 });
    expect(ds.length).toBe(4);
    expect(ds.vocabSize).toBe(7);
    const [x, y] = ds.get(1);
    expect(x.dtype).toBe('int32');
    expect(x.shape).toEqual([3]);
    expect(ds.decode(x)).toBe('bcd');
    expect(ds.decode(y)).toBe('cde');
    expect(ds.decode(ds.get(3)[1])).toBe('efg');
    expect(() => ds.get(4)).toThrow(RangeError);
    const disjoint = new CharDataset('abcdefghij', { seqLen: 3, stride: 3 });
    expect(disjoint.length).toBe(3);
    expect(disjoint.decode(disjoint.get(2)[0])).toBe('ghi');
    expect(() => new CharDataset('abc', { seqLen: 3 })).toThrow(/needs at least 4/);
  });

  it('reads a file, shares a vocabulary with another split, and batches', () => {
    const file = join(dir, 'corpus.txt');
    writeFileSync(file, 'to be or not to be\n');
    const train = CharDataset.fromFile(file, { seqLen: 4 });
    const val = new CharDataset('not to be', { seqLen: 4, vocab: train.vocab });
    expect(val.decode(val.get(0)[0])).toBe('not ');
    const [xb, yb] = [...new DataLoader(train, { batchSize: 5 })][0] as Tensor[];
    expect(xb!.shape).toEqual([5, 4]);
    expect(yb!.dtype).toBe('int32');
    expect(train.decode(xb!.select(0, 2))).toBe(' be ');
    expect(train.decode(yb!.select(0, 2))).toBe('be o');
    expect(() => CharDataset.fromFile(join(dir, 'missing.txt'), { seqLen: 2 })).toThrow(/missing\.txt: cannot read text file \(ENOENT\)/);
  });
});
