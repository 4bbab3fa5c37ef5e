/** Argument checks shared by the optimizers and schedulers: each error names the argument. */

export function checkNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${name} must be a number, got ${value === null ? 'null' : typeof value === 'number' ? 'NaN' : typeof value}`);
  }
  return value;
}

/** A finite number >= 0 (learning rates, epsilons, weight decay). */
export function checkNonNegative(value: unknown, name: string): number {
  const v = checkNumber(value, name);
  if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be a finite number >= 0, got ${v}`);
  return v;
}

export function checkPositive(value: unknown, name: string): number {
  const v = checkNumber(value, name);
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be a finite number > 0, got ${v}`);
  return v;
}

/** A number in [lo, hi) (hi exclusive unless `closedHigh`), e.g. beta coefficients in [0, 1). */
export function checkInRange(value: unknown, name: string, lo: number, hi: number, closedHigh = false): number {
  const v = checkNumber(value, name);
  if (!(v >= lo) || !(closedHigh ? v <= hi : v < hi)) {
    throw new RangeError(`${name} must be in [${lo}, ${hi}${closedHigh ? ']' : ')'}, got ${v}`);
  }
  return v;
}

export function checkPositiveInt(value: unknown, name: string): number {
  const v = checkNumber(value, name);
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  return v;
}

export function checkBool(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${typeof value}`);
  return value;
}

export function checkBetas(value: unknown, name = 'betas'): [number, number] {
  if (!Array.isArray(value) || value.length !== 2) throw new TypeError(`${name} must be a pair [beta1, beta2], got ${JSON.stringify(value)}`);
  return [checkInRange(value[0], `${name}[0]`, 0, 1), checkInRange(value[1], `${name}[1]`, 0, 1)];
}
