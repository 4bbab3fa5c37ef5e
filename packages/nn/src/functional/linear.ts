import { Tensor, fusedLinear } from '@tsgrad/tensor';
import { assertTensor, shapeStr } from './util.js';

/** y = x W^T + b for x [..., in], W [out, in], b [out] (torch.nn.functional.linear). */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  assertTensor(x, 'linear: input');
  assertTensor(weight, 'linear: weight');
  if (weight.ndim !== 2) throw new RangeError(`linear: weight must be 2-D [outFeatures, inFeatures], got shape ${shapeStr(weight.shape)}`);
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw new RangeError(`linear: input shape ${shapeStr(x.shape)} does not end in inFeatures=${weight.shape[1]} (weight shape ${shapeStr(weight.shape)})`);
  }
  if (x.dtype !== weight.dtype) throw new TypeError(`linear: input is ${x.dtype} but weight is ${weight.dtype}; convert one (e.g. model.to('${x.dtype}'))`);
  // One fused op for 2-D input (matmul with the transposed weight read through its strides, plus the bias).
  if (x.ndim === 2 && (bias === null || (bias instanceof Tensor && bias.dtype === x.dtype && bias.ndim === 1 && bias.shape[0] === weight.shape[0]))) {
    return fusedLinear(x, weight, bias);
  }
  if (x.ndim > 2 && x.isContiguous() && (bias === null || (bias instanceof Tensor && bias.dtype === x.dtype && bias.ndim === 1 && bias.shape[0] === weight.shape[0]))) {
    return fusedLinear(x.reshape(-1, weight.shape[1]!), weight, bias).reshape([...x.shape.slice(0, -1), weight.shape[0]!]);
  }
  if (bias === null) return x.matmul(weight.t());
  assertTensor(bias, 'linear: bias');
  if (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0]) {
    throw new RangeError(`linear: bias must have shape [${weight.shape[0]}], got ${shapeStr(bias.shape)}`);
  }
  return x.matmul(weight.t()).add(bias);
}

/**
 * y[..., o] = sum_ij x1[..., i] W[o, i, j] x2[..., j] + b[o] (torch.nn.functional.bilinear).
 */
export function bilinear(x1: Tensor, x2: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  assertTensor(x1, 'bilinear: input1');
  assertTensor(x2, 'bilinear: input2');
  assertTensor(weight, 'bilinear: weight');
  if (weight.ndim !== 3) throw new RangeError(`bilinear: weight must be 3-D [out, in1, in2], got shape ${shapeStr(weight.shape)}`);
  const [out, in1, in2] = weight.shape as [number, number, number];
  if (x1.ndim === 0 || x1.shape[x1.ndim - 1] !== in1 || x2.ndim !== x1.ndim || x2.shape[x2.ndim - 1] !== in2
    || x1.shape.slice(0, -1).some((d, i) => d !== x2.shape[i])) {
    throw new RangeError(`bilinear: inputs ${shapeStr(x1.shape)} and ${shapeStr(x2.shape)} must share leading dims and end in ${in1} and ${in2} (weight ${shapeStr(weight.shape)})`);
  }
  const lead = x1.shape.slice(0, -1);
  const a = x1.reshape(-1, in1); // [B, in1]
  const b = x2.reshape(-1, in2); // [B, in2]
  // [B, in1] x [in1, out*in2] -> [B, out, in2], then contract in2 against x2.
  const t = a.matmul(weight.permute(1, 0, 2).reshape(in1, out * in2)).reshape(-1, out, in2);
  let y = t.matmul(b.unsqueeze(2)).squeeze(2); // [B, out]
  if (bias !== null) {
    if (bias.ndim !== 1 || bias.shape[0] !== out) throw new RangeError(`bilinear: bias must have shape [${out}], got ${shapeStr(bias.shape)}`);
    y = y.add(bias);
  }
  return y.reshape([...lead, out]);
}
