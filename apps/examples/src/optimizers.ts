import type { Tensor } from '@tsgrad/tensor';
import { Adam, AdamW, SGD } from '@tsgrad/optim';

export type OptimizerName = 'sgd' | 'adam' | 'adamw';
export type Optimizer = SGD | Adam | AdamW;

/** sgd is SGD with momentum 0.9; adamw uses weight decay 0.01 (PyTorch's default). */
export function makeOptimizer(name: OptimizerName, params: Tensor[], lr: number): Optimizer {
  switch (name) {
    case 'sgd':
      return new SGD(params, { lr, momentum: 0.9 });
    case 'adam':
      return new Adam(params, { lr });
    case 'adamw':
      return new AdamW(params, { lr, weightDecay: 0.01 });
  }
}

export function describeOptimizer(name: OptimizerName, lr: number): string {
  const extra = name === 'sgd' ? ', momentum 0.9' : name === 'adamw' ? ', weight decay 0.01' : '';
  return `${name} (lr ${lr}${extra})`;
}
