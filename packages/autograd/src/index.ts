/**
 * @tsgrad/autograd: reverse-mode automatic differentiation for @tsgrad/tensor.
 *
 * Importing this package installs the engine into tensor's op dispatch (a side effect), after which
 * ops on tensors that require grad are recorded and `backward()` works.
 */
import { setGradEngine } from '@tsgrad/tensor';
import { engine } from './engine.js';
import './grads/elementwise.js';
import './grads/views.js';
import './grads/reduce.js';
import './grads/linalg.js';
import './grads/indexing.js';
import './grads/join.js';
import './grads/nn.js';
import './grads/fused.js';

setGradEngine(engine);

export { engine, registerGradient, hasGradient } from './engine.js';
export type { GradFormula, BackwardContext, InputMeta, TensorHook } from './node.js';
export { noGrad, enableGrad, setGradEnabled, isGradEnabled } from './grad-mode.js';
export { grad, type GradOptions } from './grad.js';
export { gradcheck, gradgradcheck, type GradcheckOptions } from './gradcheck.js';
