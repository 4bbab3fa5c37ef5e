import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fs from 'node:fs';
import { type Tensor, tensor, zeros, assertClose, manualSeed, randn } from '@tsgrad/tensor';
import {
  Sequential, Linear, BatchNorm1d, ReLU, LSTM, serializeSafetensors, parseSafetensors, parseSafetensorsHeader, SafetensorsError,
  save, load, loadFile, loadFileWithMetadata,
} from './index.js';

/** Builds a file by hand: header JSON (unpadded) followed by raw data bytes. */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string): Buffer {
  const json = Buffer.from(headerText ?? JSON.stringify(header), 'utf8');
  const out = Buffer.alloc(8 + json.length + data.length);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('serializeSafetensors / parseSafetensors', () => {
  it('writes the documented layout: header length, padded JSON, sorted aligned data', () => {
    const buf = serializeSafetensors({
      b: tensor([1.5, -2], { dtype: 'float32' }),
      a: tensor([[true, false]]),
      c: tensor([7], { dtype: 'float64' }),
      'x.num_batches_tracked': tensor(3, { dtype: 'int32' }),
      i: tensor([-5, 6]),
    }, { metadata: { format: 'pt' } });
    const n = Number(buf.readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
    const text = buf.subarray(8, 8 + n).toString('utf8');
    expect(text.trimEnd().length).toBeLessThan(text.length + 1);
    expect(/^ *$/.test(text.slice(text.trimEnd().length))).toBe(true);
    const header = JSON.parse(text);
    // Larger element types first (I64, F64, F32, I32, BOOL), then by name.
    expect(Object.keys(header)).toEqual(['__metadata__', 'x.num_batches_tracked', 'c', 'b', 'i', 'a']);
    expect(header['x.num_batches_tracked']).toEqual({ dtype: 'I64', shape: [], data_offsets: [0, 8] });
    expect(header.c).toEqual({ dtype: 'F64', shape: [1], data_offsets: [8, 16] });
    expect(header.b).toEqual({ dtype: 'F32', shape: [2], data_offsets: [16, 24] });
    expect(header.i).toEqual({ dtype: 'I32', shape: [2], data_offsets: [24, 32] });
    expect(header.a).toEqual({ dtype: 'BOOL', shape: [1, 2], data_offsets: [32, 34] });
    const data = buf.subarray(8 + n);
    expect(data.readBigInt64LE(0)).toBe(3n);
    expect(data.readDoubleLE(8)).toBe(7);
    expect(data.readFloatLE(16)).toBe(1.5);
    expect(data.readInt32LE(28)).toBe(6);
    expect([...data.subarray(32)]).toEqual([1, 0]);

    const back = parseSafetensors(buf);
    expect(back['x.num_batches_tracked']!.dtype).toBe('int32');
    expect(back['x.num_batches_tracked']!.item()).toBe(3);
    expect(back['b']!.toArray()).toEqual([1.5, -2]);
    expect(back['a']!.toArray()).toEqual([[true, false]]);
    expect(back['i']!.toArray()).toEqual([-5, 6]);
    expect(parseSafetensorsHeader(buf).metadata).toEqual({ format: 'pt' });
  });

  it('round-trips non-contiguous views and empty tensors', () => {
    const m = tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' });
    const back = parseSafetensors(serializeSafetensors({ t: m.T, e: zeros([0, 3]) }));
    expect(back['t']!.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(back['e']!.shape).toEqual([0, 3]);
  });

  it('reads the other safetensors dtypes, converting to tsgrad types', () => {
    const data = new Uint8Array(2 + 2 + 2 + 4 + 8);
    const dv = new DataView(data.buffer);
    dv.setUint16(0, 0x3c00, true); // F16 1.0
    dv.setUint16(2, 0xc000, true); // BF16 -2.0
    dv.setInt16(4, -300, true);
    dv.setUint32(6, 4000000000, true); // U32 too large for int32
    dv.setBigInt64(10, -7n, true);
    const header = {
      h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] },
      bf: { dtype: 'BF16', shape: [1], data_offsets: [2, 4] },
      s: { dtype: 'I16', shape: [1], data_offsets: [4, 6] },
      big: { dtype: 'U32', shape: [1], data_offsets: [6, 10] },
      l: { dtype: 'I64', shape: [1], data_offsets: [10, 18] },
    };
    const buf = rawFile(header, data);
    expect(() => parseSafetensors(buf)).toThrow(/"big": U32 value 4000000000 at element 0 does not fit in int32/);
    const ok = rawFile({ h: header.h, bf: header.bf, s: header.s, l: { dtype: 'I64', shape: [1], data_offsets: [6, 14] } },
      Uint8Array.from([...data.subarray(0, 6), ...data.subarray(10, 18)]));
    const t = parseSafetensors(ok);
    expect(t['h']!.toArray()).toEqual([1]);
    expect(t['bf']!.toArray()).toEqual([-2]);
    expect(t['s']!.toArray()).toEqual([-300]);
    expect(t['l']!.toArray()).toEqual([-7]);
  });

  it('keeps a tensor named "__proto__" as data', () => {
    const buf = rawFile(JSON.parse('{"__proto__": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}'), new Uint8Array(4));
    const t = parseSafetensors(buf);
    expect(Object.keys(t)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(t)).toBe(Object.prototype);
  });

  it('refuses int64 values outside int32', () => {
    const data = new Uint8Array(8);
    new DataView(data.buffer).setBigInt64(0, 1n << 40n, true);
    expect(() => parseSafetensors(rawFile({ n: { dtype: 'I64', shape: [], data_offsets: [0, 8] } }, data), { source: 'ckpt.safetensors' }))
      .toThrow(/ckpt\.safetensors: tensor "n": I64 value 1099511627776 at element 0 does not fit in int32/);
  });
});

describe('untrusted files give clear errors', () => {
  const good = serializeSafetensors({ w: tensor([1, 2, 3, 4], { dtype: 'float32' }), b: tensor([5], { dtype: 'float32' }) });
  const bad = (buf: Uint8Array, re: RegExp) => {
    let err: unknown;
    try { parseSafetensors(buf, { source: 'model.safetensors' }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(SafetensorsError);
    expect((err as Error).message).toMatch(/^model\.safetensors: /);
    expect((err as Error).message).toMatch(re);
  };

  it('truncated files', () => {
    bad(good.subarray(0, 5), /truncated safetensors file: 5 bytes/);
    bad(good.subarray(0, 20), /header length \d+ needs \d+ bytes, the file has 20/);
    bad(good.subarray(0, good.length - 3), /tensor "w": data_offsets \[4, 20\] run past the end of the data section \(17 bytes; truncated file\?\)/);
  });

  it('absurd header length, bad UTF-8, bad JSON, non-object', () => {
    const huge = Buffer.from(good);
    huge.writeBigUInt64LE(1n << 60n, 0);
    bad(huge, /header length \d+ exceeds the limit/);
    bad(rawFile(null, undefined, '{"a":\xff}').fill(0xff, 13, 14), /not valid UTF-8/);
    bad(rawFile(null, undefined, '{"a": '), /not valid JSON/);
    bad(rawFile(null, undefined, '[1, 2]'), /not a JSON object/);
  });

  it('bad entries name the key', () => {
    const d4 = new Uint8Array(4);
    bad(rawFile({ w: { dtype: 'F99', shape: [1], data_offsets: [0, 4] } }, d4), /tensor "w": unknown dtype "F99"/);
    bad(rawFile({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, d4), /tensor "w": shape must contain non-negative integers/);
    bad(rawFile({ w: { dtype: 'F32', shape: [1], data_offsets: [0] } }, d4), /tensor "w": data_offsets must be \[begin, end\]/);
    bad(rawFile({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, d4), /tensor "w": data_offsets \[0, 4\] hold 4 bytes but F32 shape \[2\] needs 8/);
    bad(rawFile({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, d4), /tensor "w": data_offsets \[4, 0\] end before they begin/);
    bad(rawFile({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, __metadata__: { a: 1 } }, d4), /"__metadata__" value for "a" must be a string/);
  });

  it('overlapping, gapped or incomplete coverage', () => {
    const d8 = new Uint8Array(8);
    bad(rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, d8),
      /tensor "b": data_offsets \[0, 4\] overlap the previous tensor, which ends at 4/);
    bad(rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, d8), /tensor "a": data_offsets \[4, 8\] leave a gap after offset 0/);
    bad(rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, d8), /cover 4 bytes but the data section has 8 \(trailing bytes\)/);
  });
});

describe('save / load files', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'tsgrad-nn-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  const makeModel = () => new Sequential(new Linear(3, 4), new BatchNorm1d(4), new ReLU(), new Linear(4, 2));

  it('round-trips a model (parameters, running stats, num_batches_tracked) and metadata', () => {
    manualSeed(1);
    const a = makeModel();
    a.call(randn(5, 3)); // updates the BatchNorm buffers
    const path = join(dir, 'model.safetensors');
    save(a, path, { epoch: '3' });
    manualSeed(2);
    const b = makeModel();
    load(b, path);
    const sa = a.stateDict();
    const sb = b.stateDict();
    expect(Object.keys(sb)).toEqual(Object.keys(sa));
    for (const k of Object.keys(sa)) assertClose(sb[k]!, sa[k]!, { atol: 0, rtol: 0 });
    expect(sb['1.num_batches_tracked']!.item()).toBe(1);
    expect(loadFileWithMetadata(path).metadata).toEqual({ epoch: '3' });
    a.eval(); b.eval();
    const x = randn(2, 3);
    assertClose(b.call(x), a.call(x), { atol: 0, rtol: 0 });
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('round-trips an LSTM state dict through save(stateDict) / loadFile', () => {
    const lstm = new LSTM(2, 3, { numLayers: 2, bidirectional: true });
    const path = join(dir, 'lstm.safetensors');
    save(lstm.stateDict(), path);
    const dict = loadFile(path);
    expect(Object.keys(dict).sort()).toEqual(Object.keys(lstm.stateDict()).sort());
    const other = new LSTM(2, 3, { numLayers: 2, bidirectional: true });
    other.loadStateDict(dict);
    assertClose(other.stateDict()['weight_hh_l1_reverse']!, lstm.stateDict()['weight_hh_l1_reverse']!);
  });

  it('a write failing mid-way leaves the previous file intact and no temporary file', () => {
    const path = join(dir, 'model.safetensors');
    const first = makeModel();
    save(first, path);
    const before = readFileSync(path);
    let calls = 0;
    const failingWrite = (fd: number, buffer: Uint8Array, offset: number, length: number): number => {
      calls++;
      if (calls > 1) throw new Error('ENOSPC: no space left on device');
      return fs.writeSync(fd, buffer, offset, Math.min(length, 16)); // a partial write, then failure
    };
    expect(() => save(makeModel(), path, null, { fs: { writeSync: failingWrite } })).toThrow(/failed to save .*model\.safetensors: ENOSPC/);
    expect(calls).toBe(2);
    expect(Buffer.compare(readFileSync(path), before)).toBe(0);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
    load(makeModel(), path); // still a valid file
  });

  it('a failing rename or fsync also leaves no temporary file', () => {
    const path = join(dir, 'm.safetensors');
    expect(() => save(makeModel(), path, null, { fs: { fsyncSync: () => { throw new Error('EIO'); } } })).toThrow(/EIO/);
    expect(() => save(makeModel(), path, null, { fs: { renameSync: () => { throw new Error('EXDEV'); } } })).toThrow(/EXDEV/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a read-only directory fails cleanly without touching the old file', () => {
    if (process.getuid?.() === 0) {
      // root ignores directory permissions; the injected-failure tests above cover this path.
      const path = join(dir, 'x.safetensors');
      expect(() => save(makeModel(), path, null, { fs: { openSync: () => { throw new Error('EACCES: permission denied'); } } })).toThrow(/EACCES/);
      expect(existsSync(path)).toBe(false);
      return;
    }
    const path = join(dir, 'model.safetensors');
    save(makeModel(), path);
    const before = readFileSync(path);
    chmodSync(dir, 0o500);
    try {
      expect(() => save(makeModel(), path)).toThrow(/failed to save/);
    } finally {
      chmodSync(dir, 0o700);
    }
    expect(Buffer.compare(readFileSync(path), before)).toBe(0);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('load reports the file and the mismatching keys; corrupt files name the file', () => {
    const path = join(dir, 'small.safetensors');
    save(new Sequential(new Linear(3, 5)), path);
    expect(() => load(makeModel(), path)).toThrow(/small\.safetensors: Error\(s\) in loading state_dict for Sequential:[\s\S]*Missing key\(s\) in state_dict: "1\.weight"/);
    expect(() => load(makeModel(), path)).toThrow(/size mismatch for 0\.weight: copying a param with shape \[5, 3\] from checkpoint, the shape in current model is \[4, 3\]/);
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 1));
    expect(() => loadFile(path)).toThrow(/small\.safetensors: the tensors cover|small\.safetensors: tensor .* run past the end/);
    expect(() => loadFile(join(dir, 'missing.safetensors'))).toThrow(/failed to read .*missing\.safetensors/);
  });
});

describe('loadStateDict', () => {
  const model = () => new Sequential(new Linear(2, 3), new BatchNorm1d(3));

  it('strict mode lists missing and unexpected keys and changes nothing', () => {
    const m = model();
    const before = m.stateDict()['0.weight']!.clone();
    const dict: Record<string, Tensor> = { ...model().stateDict(), extra: zeros([1]) };
    delete dict['1.running_var'];
    expect(() => m.loadStateDict(dict)).toThrow(/Missing key\(s\) in state_dict: "1\.running_var"\.\n\tUnexpected key\(s\) in state_dict: "extra"\./);
    assertClose(m.stateDict()['0.weight']!, before, { atol: 0, rtol: 0 });
    const r = m.loadStateDict(dict, { strict: false });
    expect(r).toEqual({ missingKeys: ['1.running_var'], unexpectedKeys: ['extra'] });
    assertClose(m.stateDict()['0.weight']!, dict['0.weight']!, { atol: 0, rtol: 0 });
  });

  it('copies in place (optimizers keep their references) and casts dtype', () => {
    const m = model();
    const w = m.parameters()[0]!;
    const src = model().to('float64').stateDict();
    m.loadStateDict(src);
    expect(m.parameters()[0]).toBe(w);
    expect(w.dtype).toBe('float32');
    assertClose(w, src['0.weight']!, { atol: 1e-7 });
    expect(() => m.loadStateDict({ ...src, '0.bias': 'x' as unknown as Tensor })).toThrow(/value for "0\.bias" is not a Tensor/);
  });
});
