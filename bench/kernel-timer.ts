/**
 * Wraps every kernel of the current backend with a timer (profile-kernels.ts, profile-step.ts).
 * Import it before the packages that capture a kernel, then read `stats` after the work; timing
 * only counts while `timer.on` is true. Matmuls are keyed by their operands' shapes and strides
 * when `matmulShapes` is set; other kernels by name (and op, for unary/binary).
 */
import { kernels } from '../packages/tensor/src/backend/registry.js';

export interface KernelStat { n: number; ms: number; el: number }

export function installKernelTimer(matmulShapes: boolean): { stats: Map<string, KernelStat>; timer: { on: boolean } } {
  const stats = new Map<string, KernelStat>();
  const timer = { on: true };
  const inner = kernels.current as unknown as Record<string, unknown>;
  const timed: Record<string, unknown> = { ...inner };
  for (const [name, f] of Object.entries(inner)) {
    if (typeof f !== 'function') continue;
    timed[name] = (...args: unknown[]) => {
      if (!timer.on) return (f as (...a: unknown[]) => unknown)(...args);
      const t0 = performance.now();
      const r = (f as (...a: unknown[]) => unknown)(...args);
      const dt = performance.now() - t0;
      let key = typeof args[0] === 'string' ? `${name}:${args[0]}` : name;
      if (matmulShapes && name === 'matmul') key += ' ' + (args as { shape: number[]; strides: number[] }[]).map((v) => `[${v.shape}]/${v.strides}`).join(' ');
      const outView = args.find((a): a is { shape: number[] } => typeof a === 'object' && a !== null && 'shape' in a);
      const s = stats.get(key) ?? { n: 0, ms: 0, el: 0 };
      s.n++;
      s.ms += dt;
      s.el += outView ? outView.shape.reduce((x: number, y: number) => x * y, 1) : 0;
      stats.set(key, s);
      return r;
    };
  }
  kernels.current = timed as unknown as typeof kernels.current;
  return { stats, timer };
}
