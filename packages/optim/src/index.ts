/**
 * @tsgrad/optim: the optimizers and learning-rate schedulers of torch.optim, with the same update
 * rules and defaults. Updates run in place over parameter storage, outside the autograd graph.
 */
export { Optimizer, ElementwiseOptimizer, type BaseHyper, type ParamGroup, type ParamGroupInput, type ParamsInput, type ParamState, type StateValue, type OptimizerStateDict, type Closure } from './optimizer.js';
export { stateDictToJSON, tensorToJSON, tensorFromJSON, type TensorJSON } from './state-json.js';
export { SGD, sgdUpdate, SGD_DEFAULTS, type SGDOptions } from './sgd.js';
export { Adam, AdamW, adamUpdate, ADAM_DEFAULTS, ADAMW_DEFAULTS, type AdamOptions } from './adam.js';
export { RMSprop, rmspropUpdate, RMSPROP_DEFAULTS, type RMSpropOptions } from './rmsprop.js';
export { Adagrad, adagradUpdate, ADAGRAD_DEFAULTS, type AdagradOptions } from './adagrad.js';
export { Adadelta, adadeltaUpdate, ADADELTA_DEFAULTS, type AdadeltaOptions } from './adadelta.js';
export { Adamax, adamaxUpdate, ADAMAX_DEFAULTS, type AdamaxOptions } from './adamax.js';
export { NAdam, nadamUpdate, NADAM_DEFAULTS, type NAdamOptions } from './nadam.js';
export { RAdam, radamUpdate, RADAM_DEFAULTS, type RAdamOptions } from './radam.js';
export { LBFGS, LBFGS_DEFAULTS, cubicInterpolate, strongWolfe, type LBFGSOptions } from './lbfgs.js';
export * from './lr-scheduler/index.js';
export * as lrScheduler from './lr-scheduler/index.js';
