import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tempDir } from '../test-utils/tmp.js';
import { DataFormatError } from './files.js';
import { encodeIdx, parseIdx, readIdxFile } from './idx.js';

const dir = tempDir('idx');

/** Hand-written header bytes for a uint8 [2, 3] array, so the parser is checked against the spec, not encodeIdx. */
const handWritten = Uint8Array.of(0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 10, 20, 30, 40, 50, 60);

describe('IDX parser', () => {
  it('parses a hand-written uint8 file', () => {
    const a = parseIdx(handWritten, 'mem');
    expect(a.type).toBe('uint8');
    expect(a.shape).toEqual([2, 3]);
    expect([...a.data]).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('reads big-endian multi-byte types', () => {
    const int32 = Uint8Array.of(0, 0, 0x0c, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xfe, 0, 0, 1, 0);
    expect([...parseIdx(int32, 'mem').data]).toEqual([-2, 256]);
    const f32 = Uint8Array.of(0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0); // 1.5
    expect([...parseIdx(f32, 'mem').data]).toEqual([1.5]);
    for (const type of ['int8', 'int16', 'int32', 'float32', 'float64'] as const) {
      const vals = [-3, 0, 7, 100];
      const back = parseIdx(encodeIdx(type, [2, 2], vals), 'mem');
      expect(back.type).toBe(type);
      expect([...back.data]).toEqual(vals);
    }
  });

  it('reads raw and gzip files alike', () => {
    writeFileSync(join(dir, 'a-idx2-ubyte'), handWritten);
    writeFileSync(join(dir, 'a-idx2-ubyte.gz'), gzipSync(handWritten));
    const raw = readIdxFile(join(dir, 'a-idx2-ubyte'));
    const gz = readIdxFile(join(dir, 'a-idx2-ubyte.gz'));
    expect([...gz.data]).toEqual([...raw.data]);
    expect(gz.shape).toEqual([2, 3]);
  });

  it('rejects a wrong magic number, an unknown type, and zero dimensions, naming file and offset', () => {
    expect(() => parseIdx(Uint8Array.of(1, 0, 8, 1, 0, 0, 0, 0), 'f.idx')).toThrow(/^f\.idx: bad IDX magic number 0x01000801 at offset 0/);
    expect(() => parseIdx(Uint8Array.of(0, 0, 7, 1, 0, 0, 0, 0), 'f.idx')).toThrow(/f\.idx: unknown IDX type code 0x07 at offset 2/);
    expect(() => parseIdx(Uint8Array.of(0, 0, 8, 0), 'f.idx')).toThrow(/offset 3 declares 0 dimensions/);
    expect(() => parseIdx(Uint8Array.of(0, 0), 'f.idx')).toThrow(DataFormatError);
  });

  it('rejects truncated headers, truncated data and trailing bytes', () => {
    expect(() => parseIdx(Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 1), 'f')).toThrow(/truncated IDX header: 3 dimensions need 16 header bytes, the file has 8/);
    expect(() => parseIdx(handWritten.subarray(0, 16), 'f')).toThrow(/truncated: the header declares uint8 \[2, 3\] = 6 data bytes from offset 12, but the file ends at offset 16 \(2 bytes missing\)/);
    const extra = Uint8Array.from([...handWritten, 1, 2, 3]);
    expect(() => parseIdx(extra, 'f')).toThrow(/size disagrees with the header.*should end at offset 18, but the file has 3 more bytes/);
  });

  it('reports missing files and corrupt gzip with the path', () => {
    const missing = join(dir, 'nope-idx1-ubyte');
    expect(() => readIdxFile(missing)).toThrow(`${missing}: file not found`);
    const gz = gzipSync(encodeIdx('uint8', [1000], new Uint8Array(1000).fill(3)));
    const cut = join(dir, 'cut.gz');
    writeFileSync(cut, gz.subarray(0, gz.length - 10));
    expect(() => readIdxFile(cut)).toThrow(new RegExp(`${cut}: corrupt or truncated gzip data`));
  });
});
