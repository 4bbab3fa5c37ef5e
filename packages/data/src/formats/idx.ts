import { DataFormatError, readMaybeGzip } from './files.js';

/**
 * The IDX format of MNIST-family files: a 4-byte magic number (two zero bytes, a type code, the
 * number of dimensions), one big-endian uint32 per dimension, then the elements, big-endian,
 * row-major. Every length is checked against the header: no silent partial datasets.
 */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX array: its element type, shape and data. */
export interface IdxArray {
  type: IdxType;
  shape: number[];
  data: IdxData;
}

const TYPES: Record<number, { type: IdxType; size: number }> = {
  0x08: { type: 'uint8', size: 1 },
  0x09: { type: 'int8', size: 1 },
  0x0b: { type: 'int16', size: 2 },
  0x0c: { type: 'int32', size: 4 },
  0x0d: { type: 'float32', size: 4 },
  0x0e: { type: 'float64', size: 8 },
};
const TYPE_CODE: Record<IdxType, number> = { uint8: 0x08, int8: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e };

const hex = (v: number, width: number) => '0x' + v.toString(16).padStart(width, '0');

/** Parses IDX bytes; `file` names the source in errors. Single-byte data is a view of `bytes`, not a copy. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) throw new DataFormatError(file, `truncated IDX header: the file has ${bytes.length} bytes, expected at least 4 (the magic number)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(0);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataFormatError(file, `bad IDX magic number ${hex(magic, 8)} at offset 0: expected two zero bytes, a type code and a dimension count (e.g. 0x00000803 for uint8 images)`);
  }
  const code = bytes[2]!;
  const t = TYPES[code];
  if (t === undefined) {
    throw new DataFormatError(file, `unknown IDX type code ${hex(code, 2)} at offset 2 (magic ${hex(magic, 8)}): expected one of ${Object.entries(TYPES).map(([c, v]) => `${hex(+c, 2)} (${v.type})`).join(', ')}`);
  }
  const ndim = bytes[3]!;
  if (ndim === 0) throw new DataFormatError(file, 'IDX header at offset 3 declares 0 dimensions: expected at least 1');
  const headerLen = 4 + 4 * ndim;
  if (bytes.length < headerLen) {
    throw new DataFormatError(file, `truncated IDX header: ${ndim} dimensions need ${headerLen} header bytes, the file has ${bytes.length}`);
  }
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < ndim; d++) {
    const n = dv.getUint32(4 + 4 * d);
    shape.push(n);
    count *= n;
  }
  const dataBytes = count * t.size;
  const actual = bytes.length - headerLen;
  const shapeStr = `[${shape.join(', ')}]`;
  if (actual < dataBytes) {
    throw new DataFormatError(file, `truncated: the header declares ${t.type} ${shapeStr} = ${dataBytes} data bytes from offset ${headerLen}, but the file ends at offset ${bytes.length} (${dataBytes - actual} bytes missing)`);
  }
  if (actual > dataBytes) {
    throw new DataFormatError(file, `size disagrees with the header: ${t.type} ${shapeStr} = ${dataBytes} data bytes should end at offset ${headerLen + dataBytes}, but the file has ${actual - dataBytes} more bytes`);
  }
  let data: IdxData;
  if (t.type === 'uint8') data = bytes.subarray(headerLen, headerLen + dataBytes);
  else if (t.type === 'int8') data = new Int8Array(bytes.buffer, bytes.byteOffset + headerLen, count);
  else {
    const ctor = { int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[t.type];
    const out = new ctor(count);
    const get = {
      int16: (o: number) => dv.getInt16(o),
      int32: (o: number) => dv.getInt32(o),
      float32: (o: number) => dv.getFloat32(o),
      float64: (o: number) => dv.getFloat64(o),
    }[t.type];
    for (let i = 0; i < count; i++) out[i] = get(headerLen + i * t.size);
    data = out;
  }
  return { type: t.type, shape, data };
}

/** Reads and parses an IDX file (raw or gzip-compressed). */
export function readIdxFile(path: string): IdxArray {
  return parseIdx(readMaybeGzip(path), path);
}

/** Checks the element type and rank of a parsed IDX array, naming the file on mismatch. */
export function expectIdx(arr: IdxArray, file: string, type: IdxType, ndim: number, what: string): void {
  if (arr.type !== type || arr.shape.length !== ndim) {
    throw new DataFormatError(file, `expected ${what} (${type}, ${ndim}-d, magic ${hex((TYPE_CODE[type] << 8) | ndim, 8)}), found ${arr.type} with shape [${arr.shape.join(', ')}]`);
  }
}

/** Serialises an array to IDX bytes (big-endian), e.g. to write test fixtures or export data. */
export function encodeIdx(type: IdxType, shape: readonly number[], values: ArrayLike<number>): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (values.length !== count) throw new RangeError(`encodeIdx: shape [${shape.join(', ')}] needs ${count} values, got ${values.length}`);
  const size = { uint8: 1, int8: 1, int16: 2, int32: 4, float32: 4, float64: 8 }[type];
  const headerLen = 4 + 4 * shape.length;
  const out = new Uint8Array(headerLen + count * size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, (TYPE_CODE[type] << 8) | shape.length);
  shape.forEach((n, d) => dv.setUint32(4 + 4 * d, n));
  for (let i = 0; i < count; i++) {
    const o = headerLen + i * size;
    const v = values[i]!;
    if (type === 'uint8') dv.setUint8(o, v);
    else if (type === 'int8') dv.setInt8(o, v);
    else if (type === 'int16') dv.setInt16(o, v);
    else if (type === 'int32') dv.setInt32(o, v);
    else if (type === 'float32') dv.setFloat32(o, v);
    else dv.setFloat64(o, v);
  }
  return out;
}
