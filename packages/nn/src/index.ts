/**
 * @tsgrad/nn: modules, layers, losses, initialisation and safetensors state dicts, with PyTorch's
 * defaults and state-dict keys. Importing it installs autograd (backward() works).
 */
import '@tsgrad/autograd';

export { Module, countParameters, type LocalMembers, type ForwardHook, type ForwardPreHook } from './module.js';
export { Parameter, isParameter } from './parameter.js';
export { type InitOptions, type KaimingOptions, type Nonlinearity, type FanMode } from './init.js';
export { Sequential, ModuleList, ModuleDict } from './containers.js';
export type { StateDict, LoadStateDictOptions, LoadStateDictResult } from './state-dict.js';
export { Identity, Linear, Bilinear, Flatten, Unflatten, ConstantPad2d, ZeroPad2d, type LayerOptions } from './layers/linear.js';
export { ReLU, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Softplus, Hardtanh, Softmax, LogSoftmax } from './layers/activation.js';
export { Dropout, Dropout2d } from './layers/dropout.js';
export { Conv1d, Conv2d, ConvTranspose2d, type Conv1dOptions, type Conv2dOptions, type ConvTranspose2dOptions } from './layers/conv.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from './layers/pooling.js';
export { BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, type BatchNormOptions, type LayerNormOptions } from './layers/norm.js';
export { Embedding, type EmbeddingOptions } from './layers/embedding.js';
export { RNNBase, RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, type RNNOptions, type RNNMode } from './layers/rnn.js';
export { MSELoss, L1Loss, SmoothL1Loss, HuberLoss, NLLLoss, CrossEntropyLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss } from './losses.js';
export * as F from './functional/index.js';
export * as init from './init.js';
export * as utils from './utils/index.js';
export {
  serializeSafetensors, parseSafetensors, parseSafetensorsWithMetadata, parseSafetensorsHeader, SafetensorsError, MAX_HEADER_SIZE,
  type SafetensorsDType, type SafetensorsHeader, type TensorEntry, type SerializeOptions, type ParseOptions,
} from './safetensors.js';
export { save, load, loadFile, loadFileWithMetadata, writeFileAtomic, type SaveOptions, type SaveFs } from './io.js';
