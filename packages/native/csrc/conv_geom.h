// The geometry of one conv2d call, read and checked from its meta array by conv.cc.
#pragma once
#include <cstdint>

namespace tsg {

struct Geom {
  int64_t N, C, H, W, O, Cg, kH, kW, oH, oW, sH, sW, pH, pW, dH, dW, groups;
  int64_t Og, P, CKK, HW;  // O/groups, oH·oW, Cg·kH·kW, H·W
};

}  // namespace tsg
