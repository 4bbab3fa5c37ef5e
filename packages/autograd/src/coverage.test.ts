import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasGradient } from './index.js';

/**
 * Every op @tsgrad/tensor records must have a gradient formula (an op without one fails at record
 * time). The names come from the ops' documented lists and, so that new ops are not missed, from
 * the literal `recordOp('name', ...)` calls in tensor's sources.
 */
const documented = [
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'atan2', 'remainder',
  'neg', 'abs', 'exp', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'square', 'reciprocal', 'sin', 'cos', 'tanh', 'sigmoid',
  'relu', 'reluBackward', 'gelu', 'erf', 'identity', 'where', 'clamp',
  'reshape', 'transpose', 'permute', 'expand', 'slice', 'select', 'diagonal', 'clone', 'cast',
  'sum', 'prod', 'amax', 'amin', 'maxDim', 'minDim', 'cumsum', 'softmax', 'logSoftmax', 'matmul',
  'gather', 'scatter', 'scatterAdd', 'indexSelect', 'indexAdd', 'maskedFill', 'cat',
  'conv2d', 'conv2dBackwardInput', 'conv2dBackwardWeight', 'maxPool2d', 'maxPool2dBackward', 'avgPool2d', 'avgPool2dBackward',
];

function namesInTensorSources(): string[] {
  const dir = fileURLToPath(new URL('../../tensor/src/ops/', import.meta.url));
  const names = new Set<string>();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const src = readFileSync(dir + file, 'utf8');
    for (const m of src.matchAll(/recordOp\(\s*'(\w+)'/g)) names.add(m[1]!);
    for (const m of src.matchAll(/const op = '(\w+)'/g)) names.add(m[1]!);
  }
  return [...names];
}

/** Unary and binary ops are recorded under their kernel op names: read those lists too. */
function elementwiseNames(): string[] {
  const src = (rel: string) => readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8');
  const quoted = (text: string) => [...text.matchAll(/'(\w+)'/g)].map((m) => m[1]!);
  const unaryUnion = /export type UnaryOp =([^;]*);/.exec(src('../../tensor/src/backend/backend.ts'))![1]!;
  const elementwise = src('../../tensor/src/ops/elementwise.ts');
  const nonDiff = /NON_DIFFERENTIABLE_UNARY = new Set<UnaryOp>\(\[([^\]]*)\]/.exec(elementwise)![1]!;
  const binary = /DIFFERENTIABLE_BINARY = new Set<BinaryOp>\(\[([^\]]*)\]/.exec(elementwise)![1]!;
  const skip = new Set(quoted(nonDiff));
  return [...quoted(unaryUnion).filter((op) => !skip.has(op)), ...quoted(binary)];
}

describe('gradient coverage', () => {
  it('every differentiable unary and binary kernel op has a formula', () => {
    const names = elementwiseNames();
    expect(names).toContain('tanh');
    expect(names).toContain('atan2');
    expect(names).not.toContain('floor');
    expect(names.filter((op) => !hasGradient(op))).toEqual([]);
  });

  it('every documented differentiable op has a formula', () => {
    expect(documented.filter((op) => !hasGradient(op))).toEqual([]);
  });

  it('every op name recorded in tensor sources has a formula', () => {
    const names = namesInTensorSources();
    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((op) => !hasGradient(op))).toEqual([]);
  });
});
