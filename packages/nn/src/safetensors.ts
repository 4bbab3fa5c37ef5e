import { type DType, Tensor, toTypedArray } from '@tsgrad/tensor';

/**
 * The safetensors format, as PyTorch's `safetensors` library reads and writes it:
 *
 *   [8 bytes: N, unsigned little-endian]  [N bytes: JSON header, padded with spaces]  [data]
 *
 * The header maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets
 * relative to the start of the data section) plus an optional "__metadata__" string map. Tensor
 * data is little-endian, row-major, packed back to back: the ranges cover the data section
 * exactly, with no gaps and no overlaps. The writer orders tensors as the reference
 * implementation does (larger element types first, then by name) and pads the header so the data
 * starts 8-byte aligned.
 *
 * The parser treats its input as untrusted: every field, size and offset is checked before any
 * tensor is built, and errors name the source (file), the key and the offending value.
 */

export type SafetensorsDType = 'BOOL' | 'U8' | 'I8' | 'F8_E5M2' | 'F8_E4M3' | 'I16' | 'U16' | 'F16' | 'BF16' | 'I32' | 'U32' | 'F32' | 'F64' | 'I64' | 'U64';

/** The reference implementation's dtype order; the writer sorts tensors by it, descending. */
const DTYPE_ORDER: readonly SafetensorsDType[] = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'];
const DTYPE_SIZE: Record<SafetensorsDType, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

/** Largest header accepted, as in the reference implementation (100 MB). */
export const MAX_HEADER_SIZE = 100_000_000;

/** A malformed or unsupported safetensors file (the message says what and where). */
export class SafetensorsError extends Error {
  constructor(readonly source: string, message: string, readonly key?: string) {
    super(`${source}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

/** One tensor in a safetensors header: its dtype, shape and byte offsets in the data section. */
export interface TensorEntry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  /** [begin, end) in bytes, relative to the data section. */
  dataOffsets: [number, number];
}

/** A parsed safetensors header: one entry per tensor, plus the optional metadata. */
export interface SafetensorsHeader {
  metadata: Record<string, string> | null;
  /** In header order. */
  tensors: TensorEntry[];
  /** Byte offset of the data section in the buffer (8 + header length). */
  dataStart: number;
}

/** Options of `serializeSafetensors`: the metadata to store and how int32 tensors are written. */
export interface SerializeOptions {
  /** String-to-string metadata stored under "__metadata__". */
  metadata?: Record<string, string> | null;
  /**
   * Which int32 tensors to write as I64 (PyTorch's int64). Default: keys ending in
   * "num_batches_tracked", which PyTorch stores as int64.
   */
  int64?: (key: string, t: Tensor) => boolean;
}

/** Options of `parseSafetensors`: limits and a source name for error messages. */
export interface ParseOptions {
  /** Named in error messages (a file path); default "<buffer>". */
  source?: string;
  maxHeaderSize?: number;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function isNumBatchesTracked(key: string): boolean {
  return key === 'num_batches_tracked' || key.endsWith('.num_batches_tracked');
}

function fileDType(key: string, t: Tensor, int64: (key: string, t: Tensor) => boolean): SafetensorsDType {
  switch (t.dtype) {
    case 'float32': return 'F32';
    case 'float64': return 'F64';
    case 'bool': return 'BOOL';
    case 'int32': return int64(key, t) ? 'I64' : 'I32';
  }
}

/** The tensor's elements as little-endian bytes in the file's dtype. */
function tensorBytes(t: Tensor, dtype: SafetensorsDType): Uint8Array {
  const data = toTypedArray(t);
  if (dtype === 'I64') {
    const out = new Uint8Array(data.length * 8);
    const dv = new DataView(out.buffer);
    for (let i = 0; i < data.length; i++) dv.setBigInt64(i * 8, BigInt(data[i]!), true);
    return out;
  }
  if (LITTLE_ENDIAN || dtype === 'BOOL') return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (dtype === 'F32') dv.setFloat32(i * 4, data[i]!, true);
    else if (dtype === 'F64') dv.setFloat64(i * 8, data[i]!, true);
    else dv.setInt32(i * 4, data[i]!, true);
  }
  return out;
}

function compareNames(a: string, b: string): number {
  // Byte order of the UTF-8 names, as the reference implementation compares Rust strings.
  const ea = Buffer.from(a, 'utf8');
  const eb = Buffer.from(b, 'utf8');
  return Buffer.compare(ea, eb);
}

/** Encodes tensors (and optional metadata) as the bytes of a safetensors file. */
export function serializeSafetensors(tensors: Record<string, Tensor>, opts: SerializeOptions = {}): Buffer {
  if (tensors === null || typeof tensors !== 'object') throw new TypeError('serializeSafetensors: expected an object mapping names to tensors');
  const int64 = opts.int64 ?? ((key: string) => isNumBatchesTracked(key));
  const items = Object.entries(tensors).map(([name, t]) => {
    if (name === '' || name === '__metadata__') throw new RangeError(`serializeSafetensors: invalid tensor name ${JSON.stringify(name)}`);
    if (!(t instanceof Tensor)) throw new TypeError(`serializeSafetensors: value for ${JSON.stringify(name)} is not a Tensor`);
    const dtype = fileDType(name, t, int64);
    return { name, t, dtype, bytes: tensorBytes(t, dtype) };
  });
  items.sort((a, b) => DTYPE_ORDER.indexOf(b.dtype) - DTYPE_ORDER.indexOf(a.dtype) || compareNames(a.name, b.name));

  const header: Record<string, unknown> = {};
  if (opts.metadata !== undefined && opts.metadata !== null) {
    const meta: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.metadata)) {
      if (typeof v !== 'string') throw new TypeError(`serializeSafetensors: metadata values must be strings; ${JSON.stringify(k)} is ${typeof v}`);
      meta[k] = v;
    }
    header['__metadata__'] = meta;
  }
  let offset = 0;
  for (const it of items) {
    header[it.name] = { dtype: it.dtype, shape: it.t.shape, data_offsets: [offset, offset + it.bytes.length] };
    offset += it.bytes.length;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  if (pad > 0) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const out = Buffer.alloc(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  let pos = 8 + json.length;
  for (const it of items) {
    out.set(it.bytes, pos);
    pos += it.bytes.length;
  }
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkIntArray(v: unknown, what: string, fail: (msg: string) => never): number[] {
  if (!Array.isArray(v)) fail(`${what} must be an array of integers, got ${JSON.stringify(v)}`);
  for (const x of v) {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) fail(`${what} must contain non-negative integers, got ${JSON.stringify(v)}`);
  }
  return (v as number[]).slice();
}

/** Reads and validates the header of a safetensors buffer (without building tensors). */
export function parseSafetensorsHeader(buf: Uint8Array, opts: ParseOptions = {}): SafetensorsHeader {
  const source = opts.source ?? '<buffer>';
  const fail = (msg: string, key?: string): never => { throw new SafetensorsError(source, msg, key); };
  if (!(buf instanceof Uint8Array)) throw new TypeError(`${source}: expected a Buffer or Uint8Array`);
  if (buf.length < 8) fail(`truncated safetensors file: ${buf.length} bytes, fewer than the 8-byte header length`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n64 = dv.getBigUint64(0, true);
  const maxHeader = opts.maxHeaderSize ?? MAX_HEADER_SIZE;
  if (n64 > BigInt(maxHeader)) fail(`header length ${n64} exceeds the limit of ${maxHeader} bytes (corrupt or not a safetensors file)`);
  const n = Number(n64);
  if (8 + n > buf.length) fail(`truncated safetensors file: header length ${n} needs ${8 + n} bytes, the file has ${buf.length}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + n));
  } catch {
    return fail('header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail('header is not a JSON object (it must start with "{")');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON: ${(e as Error).message}`);
  }
  if (!isPlainObject(parsed)) return fail('header is not a JSON object');
  const dataStart = 8 + n;
  const dataLength = buf.length - dataStart;
  let metadata: Record<string, string> | null = null;
  const tensors: TensorEntry[] = [];
  for (const [name, info] of Object.entries(parsed)) {
    if (name === '__metadata__') {
      if (!isPlainObject(info)) fail('"__metadata__" must be an object of strings', name);
      metadata = {};
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`"__metadata__" value for ${JSON.stringify(k)} must be a string, got ${JSON.stringify(v)}`, name);
        metadata[k] = v as string;
      }
      continue;
    }
    const keyFail = (msg: string): never => fail(`tensor ${JSON.stringify(name)}: ${msg}`, name);
    if (!isPlainObject(info)) keyFail('entry must be an object with dtype, shape and data_offsets');
    const entry = info as Record<string, unknown>;
    const dtype = entry['dtype'];
    if (typeof dtype !== 'string' || !(dtype in DTYPE_SIZE)) keyFail(`unknown dtype ${JSON.stringify(dtype)} (expected one of ${DTYPE_ORDER.join(', ')})`);
    const shape = checkIntArray(entry['shape'], 'shape', keyFail);
    const offsets = checkIntArray(entry['data_offsets'], 'data_offsets', keyFail);
    if (offsets.length !== 2) keyFail(`data_offsets must be [begin, end], got ${JSON.stringify(entry['data_offsets'])}`);
    const [begin, end] = offsets as [number, number];
    if (begin > end) keyFail(`data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLength) keyFail(`data_offsets [${begin}, ${end}] run past the end of the data section (${dataLength} bytes; truncated file?)`);
    let numel = 1;
    for (const d of shape) numel *= d;
    const expected = numel * DTYPE_SIZE[dtype as SafetensorsDType];
    if (end - begin !== expected) keyFail(`data_offsets [${begin}, ${end}] hold ${end - begin} bytes but ${dtype} shape [${shape.join(', ')}] needs ${expected}`);
    tensors.push({ name, dtype: dtype as SafetensorsDType, shape, dataOffsets: [begin, end] });
  }
  // The ranges must tile the data section exactly: sorted by offset, each starts where the last ended.
  const sorted = [...tensors].sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let pos = 0;
  for (const t of sorted) {
    const [begin, end] = t.dataOffsets;
    if (begin < pos) fail(`tensor ${JSON.stringify(t.name)}: data_offsets [${begin}, ${end}] overlap the previous tensor, which ends at ${pos}`, t.name);
    if (begin > pos) fail(`tensor ${JSON.stringify(t.name)}: data_offsets [${begin}, ${end}] leave a gap after offset ${pos}`, t.name);
    pos = end;
  }
  if (pos !== dataLength) fail(`the tensors cover ${pos} bytes but the data section has ${dataLength} (trailing bytes)`);
  return { metadata, tensors, dataStart };
}

function toDType(entry: TensorEntry): DType {
  switch (entry.dtype) {
    case 'F32': case 'F16': case 'BF16': return 'float32';
    case 'F64': return 'float64';
    case 'BOOL': return 'bool';
    default: return 'int32';
  }
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f === 0 ? s * Infinity : NaN;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Builds one tensor from its (validated) bytes, converting to tsgrad's dtypes. */
function readTensor(entry: TensorEntry, bytes: Uint8Array, source: string): Tensor {
  const out = Tensor.empty(entry.shape, toDType(entry));
  const o = out.buffer;
  const n = o.length;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const intFail = (v: bigint | number, i: number): never => {
    throw new SafetensorsError(source, `tensor ${JSON.stringify(entry.name)}: ${entry.dtype} value ${v} at element ${i} does not fit in int32 (tsgrad's integer type)`, entry.name);
  };
  switch (entry.dtype) {
    case 'F32': for (let i = 0; i < n; i++) o[i] = dv.getFloat32(i * 4, true); break;
    case 'F64': for (let i = 0; i < n; i++) o[i] = dv.getFloat64(i * 8, true); break;
    case 'I32': for (let i = 0; i < n; i++) o[i] = dv.getInt32(i * 4, true); break;
    case 'BOOL': case 'U8': for (let i = 0; i < n; i++) o[i] = entry.dtype === 'BOOL' ? (bytes[i]! !== 0 ? 1 : 0) : bytes[i]!; break;
    case 'I8': for (let i = 0; i < n; i++) o[i] = dv.getInt8(i); break;
    case 'I16': for (let i = 0; i < n; i++) o[i] = dv.getInt16(i * 2, true); break;
    case 'U16': for (let i = 0; i < n; i++) o[i] = dv.getUint16(i * 2, true); break;
    case 'F16': for (let i = 0; i < n; i++) o[i] = halfToFloat(dv.getUint16(i * 2, true)); break;
    case 'BF16': {
      const f = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < n; i++) { f.setUint32(0, dv.getUint16(i * 2, true) << 16); o[i] = f.getFloat32(0); }
      break;
    }
    case 'U32': for (let i = 0; i < n; i++) { const v = dv.getUint32(i * 4, true); if (v > 0x7fffffff) intFail(v, i); o[i] = v; } break;
    case 'I64': case 'U64':
      for (let i = 0; i < n; i++) {
        const v = entry.dtype === 'I64' ? dv.getBigInt64(i * 8, true) : dv.getBigUint64(i * 8, true);
        if (v > 2147483647n || v < -2147483648n) intFail(v, i);
        o[i] = Number(v);
      }
      break;
    default:
      throw new SafetensorsError(source, `tensor ${JSON.stringify(entry.name)}: dtype ${entry.dtype} is not supported by tsgrad`, entry.name);
  }
  return out;
}

/** Decodes a safetensors buffer into tensors (F16/BF16 become float32, integer types int32). */
export function parseSafetensors(buf: Uint8Array, opts: ParseOptions = {}): Record<string, Tensor> {
  return parseSafetensorsWithMetadata(buf, opts).tensors;
}

/** Like `parseSafetensors`, also returning the file's `__metadata__` (null when absent). */
export function parseSafetensorsWithMetadata(buf: Uint8Array, opts: ParseOptions = {}): { tensors: Record<string, Tensor>; metadata: Record<string, string> | null } {
  const source = opts.source ?? '<buffer>';
  const header = parseSafetensorsHeader(buf, opts);
  const tensors: Record<string, Tensor> = {};
  for (const entry of header.tensors) {
    const [begin, end] = entry.dataOffsets;
    const t = readTensor(entry, buf.subarray(header.dataStart + begin, header.dataStart + end), source);
    // defineProperty: a tensor named "__proto__" must be data, never the object's prototype.
    Object.defineProperty(tensors, entry.name, { value: t, writable: true, enumerable: true, configurable: true });
  }
  return { tensors, metadata: header.metadata };
}
