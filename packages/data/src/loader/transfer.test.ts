import { describe, expect, it } from 'vitest';
import { arange, Tensor } from '@tsgrad/tensor';
import { decodeTransferred, encodeForTransfer } from './transfer.js';

describe('transfer encoding', () => {
  it('round-trips nested tensors (including views) and typed arrays through structuredClone', () => {
    const base = arange(12).reshape(3, 4);
    const value = { a: base.select(0, 1), b: [base.transpose(0, 1), Float32Array.of(1.5)], s: 'x', n: 3 };
    const { value: enc, transfer } = encodeForTransfer(value);
    const back = decodeTransferred(structuredClone(enc, { transfer })) as typeof value;
    expect(back.a).toBeInstanceOf(Tensor);
    expect(back.a.toArray()).toEqual([4, 5, 6, 7]);
    expect((back.b[0] as Tensor).toArray()).toEqual(base.transpose(0, 1).toArray());
    expect([...(back.b[1] as Float32Array)]).toEqual([1.5]);
    expect(back.s).toBe('x');
    expect(back.n).toBe(3);
  });

  it('never detaches memory the sender keeps unless the value is owned', () => {
    const kept = Float32Array.of(1, 2, 3);
    const t = Tensor.fromBuffer(Float32Array.of(4, 5), [2]);
    const { value, transfer } = encodeForTransfer({ kept, t });
    structuredClone(value, { transfer });
    expect([...kept]).toEqual([1, 2, 3]);
    expect(t.toArray()).toEqual([4, 5]);
    const fresh = Float32Array.of(7, 8);
    const owned = encodeForTransfer(fresh, true);
    expect(owned.transfer).toEqual([fresh.buffer]);
    structuredClone(owned.value, { transfer: owned.transfer });
    expect(fresh.length).toBe(0); // transferred, not copied
  });
});
