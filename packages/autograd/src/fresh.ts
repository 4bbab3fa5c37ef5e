import type { Tensor } from '@tsgrad/tensor';

/**
 * Gradients a formula has just allocated and hands over whole: contiguous, own storage, held by
 * nobody else. When such a gradient reaches a leaf whose `.grad` is empty, the engine adopts it
 * as `.grad` instead of cloning it (PyTorch steals a gradient whose refcount is 1 the same way).
 * The engine unmarks a tensor as soon as a second holder could exist (returned for two inputs,
 * kept by a hook, retained, captured by grad(), passed in as a root gradient).
 */
const fresh = new WeakSet<Tensor>();

/** Marks `t` (a new, contiguous, unshared tensor) as adoptable; returns it. */
export function markFresh(t: Tensor): Tensor {
  if (t.base === null && t.offset === 0 && t.storage.data.length === t.numel() && t.isContiguous()) fresh.add(t);
  return t;
}

export function isFresh(t: Tensor): boolean {
  return fresh.has(t);
}

export function unmarkFresh(t: Tensor): void {
  fresh.delete(t);
}
