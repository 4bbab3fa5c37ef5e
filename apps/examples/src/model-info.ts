import { type GeneratorState, defaultGenerator, manualSeed } from '@tsgrad/tensor';
import * as nn from '@tsgrad/nn';
import type { Json } from './state-tree.js';

/** Seeds tensor's default generator (weight init, dropout); batch order comes from rng.ts. */
export function seedEverything(seed: number): void {
  manualSeed(seed);
}

/**
 * The default generator's position, as JSON (its seed is a bigint), so a resumed run draws the
 * same dropout masks the uninterrupted run would have drawn.
 */
export function generatorStateToJson(): Json {
  const s = defaultGenerator.getState();
  return { seed: s.seed.toString(), counter: [...s.counter], used: s.used, spareNormal: s.spareNormal };
}

export function restoreGeneratorState(json: Json | undefined): void {
  if (json === undefined || json === null || typeof json !== 'object' || Array.isArray(json)) return;
  const j = json as { seed: string; counter: number[]; used: number; spareNormal: number | null };
  const state: GeneratorState = { seed: BigInt(j.seed), counter: [j.counter[0]!, j.counter[1]!, j.counter[2]!, j.counter[3]!], used: j.used, spareNormal: j.spareNormal };
  defaultGenerator.setState(state);
}

/** The module tree as nn prints it, and its trainable parameter count. */
export function summarizeModel(model: nn.Module): { text: string; parameters: number } {
  return { text: model.toString(), parameters: nn.countParameters(model, { trainableOnly: true }) };
}
