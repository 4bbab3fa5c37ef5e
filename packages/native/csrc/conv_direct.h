// Direct float32 convolution on AVX-512 for unit stride and dilation and one group (conv_direct.cc).
// Each function returns false, having done nothing, when it does not apply (another ISA, a
// geometry it does not cover, or a shape it would be slow on); conv.cc then takes im2col + GEMM.
// conv.cc does not call them while TSGRAD_CONV_SCHEDULE forces an im2col schedule.
#pragma once
#include <cstdint>

#include "conv_geom.h"

namespace tsg {

/** Whether the direct kernels were compiled in (an AVX-512 build). */
bool directConvCompiled();

bool directConvForward(const float* x, const float* w, const float* bias, int64_t biasStride, float* out, const Geom& g);
bool directConvBackwardInput(const float* gradOut, const float* w, float* gradIn, const Geom& g);
bool directConvBackwardWeight(const float* x, const float* gradOut, float* gradW, const Geom& g);

}  // namespace tsg
