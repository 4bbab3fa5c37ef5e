import { describe, expect, it } from 'vitest';
import { BYTE_TO_UNIT, bytesToUnit } from './image.js';

describe('bytesToUnit', () => {
  it('gives exactly the float32 of k / 255 for every byte', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, k) => k);
    const out = new Float32Array(256);
    bytesToUnit(bytes, 0, out, 0, 256);
    for (let k = 0; k < 256; k++) expect(out[k]).toBe(Math.fround(k / 255));
    expect(BYTE_TO_UNIT[255]).toBe(1);
  });

  it('reads and writes at offsets, touching nothing else', () => {
    const bytes = Uint8Array.from([9, 9, 0, 51, 255, 9]);
    const out = new Float32Array(6).fill(-1);
    bytesToUnit(bytes, 2, out, 1, 3);
    expect(Array.from(out)).toEqual([-1, 0, Math.fround(51 / 255), 1, -1, -1]);
  });
});
