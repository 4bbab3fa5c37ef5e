/** Errors raised while loading data, carrying the dataset index that failed. */

/**
 * A sample failed to load. `index` is the dataset index (for an iterable dataset, the position in
 * the stream), `cause` the original error (for worker errors, a copy rebuilt on the main thread).
 */
export class DatasetError extends Error {
  override name = 'DatasetError';
  constructor(
    readonly index: number,
    cause: unknown,
    context: string = `dataset.get(${index}) failed`,
  ) {
    super(`${context}: ${describeError(cause)}`, { cause });
  }
}

export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name === 'Error' ? '' : e.name + ': '}${e.message}`;
  return String(e);
}

/** Validates an index into a collection of `length` items (negative indices are refused, as they are almost always bugs here). */
export function checkIndex(index: number, length: number, what: string): void {
  if (!Number.isInteger(index)) throw new TypeError(`${what}: index must be an integer, got ${index}`);
  if (index < 0 || index >= length) throw new RangeError(`${what}: index ${index} is out of range for length ${length}`);
}
