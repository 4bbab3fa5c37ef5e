import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Thrown for unreadable or malformed data files; the message names the file, offset and expectation. */
export class DataFormatError extends Error {
  override name = 'DataFormatError';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

/** Reads a file, transparently gunzipping it when it starts with the gzip magic bytes. */
export function readMaybeGzip(path: string): Uint8Array {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataFormatError(path, code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? (e as Error).message})`);
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      const out = gunzipSync(raw);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    } catch (e) {
      throw new DataFormatError(path, `corrupt or truncated gzip data (${raw.length} compressed bytes): ${(e as Error).message}`);
    }
  }
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}

/**
 * The first existing file among `names` (each also tried with `.gz`) in `dirs`. A missing file is
 * an error listing every place looked at.
 */
export function findFile(dirs: readonly string[], names: readonly string[], what: string): string {
  const tried: string[] = [];
  for (const dir of dirs) {
    for (const name of names) {
      for (const candidate of [name, `${name}.gz`]) {
        const p = join(dir, candidate);
        tried.push(p);
        if (existsSync(p) && statSync(p).isFile()) return p;
      }
    }
  }
  throw new DataFormatError(dirs[0] ?? '.', `${what} not found; looked for ${tried.join(', ')}`);
}

/** Checks that `root` is an existing directory. */
export function checkDirectory(root: string, what: string): void {
  if (typeof root !== 'string' || root === '') throw new TypeError(`${what}: root must be a directory path, got ${JSON.stringify(root)}`);
  if (!existsSync(root)) throw new DataFormatError(root, `${what}: directory not found`);
  if (!statSync(root).isDirectory()) throw new DataFormatError(root, `${what}: not a directory`);
}
