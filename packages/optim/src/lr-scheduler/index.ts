/** The learning-rate schedulers of torch.optim.lr_scheduler; also exported as the `lrScheduler` namespace. */
export { LRScheduler, type AnyOptimizer, type SchedulerStateDict } from './scheduler.js';
export { StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR, LambdaLR, MultiplicativeLR, type LrLambda } from './basic.js';
export { CosineAnnealingLR, CosineAnnealingWarmRestarts } from './cosine.js';
export { OneCycleLR, type OneCycleOptions } from './one-cycle.js';
export { CyclicLR, type CyclicOptions, type CyclicMode } from './cyclic.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './plateau.js';
export { SequentialLR, ChainedScheduler } from './compose.js';
