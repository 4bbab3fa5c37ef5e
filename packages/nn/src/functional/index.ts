/** The functional API, mirroring torch.nn.functional: `import { F } from '@tsgrad/nn'`. */
export * from './activation.js';
export * from './linear.js';
export * from './dropout.js';
export * from './loss.js';
export * from './conv.js';
export * from './norm.js';
export * from './pad.js';
export { oneHot } from '@tsgrad/tensor';
export type { Reduction } from './util.js';
