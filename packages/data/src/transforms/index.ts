/** Sample transforms (as torchvision.transforms): use as `transforms.Compose([...])`. */
export { Compose, Lambda, ToTensor, Normalize, imageToTensor, factory, type Transform, type TransformFactory } from './core.js';
export {
  RandomCrop, CenterCrop, RandomHorizontalFlip, RandomVerticalFlip, RandomAffine, RandomRotation, affine, cropWindow, hflip, vflip,
  type RandomCropOptions, type RandomAffineOptions, type AffineParams, type WarpOptions, type PaddingMode, type Interpolation,
} from './geometric.js';
