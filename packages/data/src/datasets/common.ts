import { Tensor } from '@tsgrad/tensor';
import { imageToTensor } from '../transforms/core.js';
import type { Image } from '../image.js';

/** Options shared by the image-classification datasets. */
export interface VisionDatasetOptions<X = unknown, Y = unknown> {
  /** Applied to each sample's uint8 Image (HWC); default ToTensor (float32 [C, H, W] in 0..1). */
  transform?: (image: Image) => X;
  /** Applied to each label (a number); default an int32 scalar tensor. */
  targetTransform?: (label: number) => Y;
}

export function labelTensor(label: number): Tensor {
  return Tensor.fromBuffer(Int32Array.of(label), [], 'int32');
}

/** The sample pair [transform(image), targetTransform(label)] with the defaults above. */
export function visionSample<X, Y>(image: Image, label: number, options: VisionDatasetOptions<X, Y>): [X, Y] {
  const x = options.transform ? options.transform(image) : (imageToTensor(image) as X);
  const y = options.targetTransform ? options.targetTransform(label) : (labelTensor(label) as Y);
  return [x, y];
}
