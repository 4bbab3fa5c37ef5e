import {
  type Conv2dParams, type Pool2dParams, type Tensor, avgPool2d, avgPool2dBackward, conv2d, conv2dBackwardInput,
  conv2dBackwardWeight, maxPool2dBackward, sum,
} from '@tsgrad/tensor';
import { markFresh } from '../fresh.js';
import { def } from './util.js';

/**
 * Gradients of tensor's ops/nn.ts. conv2d's gradients are the backend's two backward kernels,
 * recorded as ops of their own; each of those is linear in each argument, so their gradients are
 * again conv2d / its backward ops (double backward, e.g. gradient penalties through a CNN).
 * Pooling is likewise paired with its backward op.
 */
interface ConvAttrs { params: Conv2dParams; hasBias: boolean }

// Each gradient is a new tensor handed over whole, so a leaf (the weight, the bias, an input that
// requires grad) adopts it as .grad instead of copying it (fresh.ts).
def('conv2d', { saveInputs: true }, (g, { inputs: [x, w, bias], attrs }, needs) => {
  const { params } = attrs as ConvAttrs;
  return [
    needs[0] ? markFresh(conv2dBackwardInput(g, w!, x!.shape, params)) : null,
    needs[1] ? markFresh(conv2dBackwardWeight(x!, g, w!.shape, params)) : null,
    bias !== undefined && needs[2] ? markFresh(sum(g, [0, 2, 3])) : null,
  ];
});

// out = conv2dBackwardInput(gradOut, w), linear in each: <gg, out> = <conv2d(gg, w), gradOut>.
def('conv2dBackwardInput', { saveInputs: true }, (gg, { inputs: [gradOut, w], attrs }, needs) => {
  const { params } = attrs as { params: Conv2dParams };
  return [
    needs[0] ? conv2d(gg, w!, null, params) : null,
    needs[1] ? conv2dBackwardWeight(gg, gradOut!, w!.shape, params) : null,
  ];
});

// out = conv2dBackwardWeight(x, gradOut): <gg, out> = <conv2d(x, gg), gradOut> = <x, conv2dBackwardInput(gradOut, gg)>.
def('conv2dBackwardWeight', { saveInputs: true }, (gg, { inputs: [x, gradOut], attrs }, needs) => {
  const { params } = attrs as { params: Conv2dParams };
  return [
    needs[0] ? conv2dBackwardInput(gradOut!, gg, x!.shape, params) : null,
    needs[1] ? conv2d(x!, gg, null, params) : null,
  ];
});

interface PoolAttrs { params: Pool2dParams; inputShape: number[]; indices?: Tensor }

def('maxPool2d', {}, (g, { attrs }) => {
  const { params, inputShape, indices } = attrs as PoolAttrs;
  return [maxPool2dBackward(g, indices!, inputShape, params)];
});

// maxPool2dBackward scatters gradOut to the argmax positions: its adjoint gathers them back.
def('maxPool2dBackward', {}, (gg, { meta: [gradOut], attrs }) => {
  const { indices } = attrs as PoolAttrs;
  const [n, c, oh, ow] = gradOut!.shape as [number, number, number, number];
  const flat = gg.reshape(gg.shape[0]!, gg.shape[1]!, -1);
  return [flat.gather(2, indices!.reshape(n, c, oh * ow)).reshape(n, c, oh, ow)];
});

def('avgPool2d', {}, (g, { attrs }) => {
  const { params, inputShape } = attrs as PoolAttrs;
  return [avgPool2dBackward(g, inputShape, params)];
});

// avgPool2dBackward is the adjoint of avgPool2d (same windows and divisors), so its adjoint is avgPool2d.
def('avgPool2dBackward', {}, (gg, { attrs }) => {
  const { params } = attrs as PoolAttrs;
  return [avgPool2d(gg, params.kernelSize, { stride: params.stride, padding: params.padding, countIncludePad: params.countIncludePad ?? true })];
});
