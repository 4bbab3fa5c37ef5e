import { DataFormatError, readMaybeGzip } from './files.js';

/**
 * CIFAR-10 binary batches: records of 1 label byte followed by 3072 pixel bytes (1024 red, 1024
 * green, 1024 blue; each plane 32x32 row-major).
 */
export const CIFAR_RECORD_BYTES = 1 + 3 * 32 * 32;

/** A CIFAR binary batch: uint8 CHW pixels and labels. */
export interface CifarBatch {
  /** Pixels, CHW per image, images back to back: count * 3072 bytes. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** Parses one batch file's bytes; labels must be < numClasses. */
export function parseCifarBatch(bytes: Uint8Array, file: string, numClasses = 10): CifarBatch {
  if (bytes.length === 0) throw new DataFormatError(file, `empty CIFAR batch: expected records of ${CIFAR_RECORD_BYTES} bytes`);
  if (bytes.length % CIFAR_RECORD_BYTES !== 0) {
    const whole = Math.floor(bytes.length / CIFAR_RECORD_BYTES);
    throw new DataFormatError(
      file,
      `size ${bytes.length} is not a multiple of the ${CIFAR_RECORD_BYTES}-byte CIFAR-10 record: ${whole} whole records, then a partial record of ${bytes.length - whole * CIFAR_RECORD_BYTES} bytes at offset ${whole * CIFAR_RECORD_BYTES} (truncated file?)`,
    );
  }
  const count = bytes.length / CIFAR_RECORD_BYTES;
  const images = new Uint8Array(count * 3072);
  const labels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const off = r * CIFAR_RECORD_BYTES;
    const label = bytes[off]!;
    if (label >= numClasses) throw new DataFormatError(file, `record ${r}: label ${label} at offset ${off} is out of range: expected 0..${numClasses - 1}`);
    labels[r] = label;
    images.set(bytes.subarray(off + 1, off + CIFAR_RECORD_BYTES), r * 3072);
  }
  return { images, labels, count };
}

/** Reads a CIFAR-10 (or, with `numClasses` 100, CIFAR-100) binary batch file. */
export function readCifarBatch(path: string, numClasses = 10): CifarBatch {
  return parseCifarBatch(readMaybeGzip(path), path, numClasses);
}
