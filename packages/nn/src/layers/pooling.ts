import type { Tensor } from '@tsgrad/tensor';
import { Module } from '../module.js';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from '../functional/conv.js';

type Pair = number | readonly [number, number];
const fmt = (p: Pair) => (typeof p === 'number' ? String(p) : `[${p.join(', ')}]`);

/** Max over kernelSize windows (torch.nn.MaxPool2d; stride defaults to kernelSize). */
export class MaxPool2d extends Module {
  readonly stride: Pair;
  readonly padding: Pair;

  constructor(readonly kernelSize: Pair, opts: { stride?: Pair | null; padding?: Pair } = {}) {
    super();
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding });
  }

  override extraRepr(): string {
    return `kernelSize=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}, padding=${fmt(this.padding)}`;
  }
}

/** Mean over kernelSize windows (torch.nn.AvgPool2d). */
export class AvgPool2d extends Module {
  readonly stride: Pair;
  readonly padding: Pair;
  readonly countIncludePad: boolean;

  constructor(readonly kernelSize: Pair, opts: { stride?: Pair | null; padding?: Pair; countIncludePad?: boolean } = {}) {
    super();
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.countIncludePad = opts.countIncludePad ?? true;
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, countIncludePad: this.countIncludePad });
  }

  override extraRepr(): string {
    return `kernelSize=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}, padding=${fmt(this.padding)}`;
  }
}

/** Average pooling to a fixed output size (torch.nn.AdaptiveAvgPool2d). */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | readonly [number | null, number | null]) {
    super();
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `outputSize=${typeof this.outputSize === 'number' ? this.outputSize : `[${this.outputSize.join(', ')}]`}`;
  }
}
