// The kernel entry points exported to JS. Each validates all of its arguments, then runs.
#pragma once
#include "args.h"

namespace tsg {

Napi::Value matmul(const Napi::CallbackInfo& info);
Napi::Value gemmDebug(const Napi::CallbackInfo& info);
Napi::Value conv2d(const Napi::CallbackInfo& info);
Napi::Value conv2dBackwardInput(const Napi::CallbackInfo& info);
Napi::Value conv2dBackwardWeight(const Napi::CallbackInfo& info);
Napi::Value maxPool2d(const Napi::CallbackInfo& info);
Napi::Value maxPool2dBackward(const Napi::CallbackInfo& info);
Napi::Value avgPool2d(const Napi::CallbackInfo& info);
Napi::Value avgPool2dBackward(const Napi::CallbackInfo& info);
Napi::Value unary(const Napi::CallbackInfo& info);
Napi::Value binary(const Napi::CallbackInfo& info);
Napi::Value binaryScalar(const Napi::CallbackInfo& info);
Napi::Value clamp(const Napi::CallbackInfo& info);
Napi::Value where(const Napi::CallbackInfo& info);
Napi::Value reluBackward(const Napi::CallbackInfo& info);
Napi::Value fill(const Napi::CallbackInfo& info);
Napi::Value copy(const Napi::CallbackInfo& info);
Napi::Value reduce(const Napi::CallbackInfo& info);
Napi::Value softmax(const Napi::CallbackInfo& info);
Napi::Value sgdMomentum(const Napi::CallbackInfo& info);
Napi::Value adam(const Napi::CallbackInfo& info);
Napi::Value lstmCell(const Napi::CallbackInfo& info);
Napi::Value lstmCellBackward(const Napi::CallbackInfo& info);
Napi::Value rnnCell(const Napi::CallbackInfo& info);
Napi::Value rnnCellBackward(const Napi::CallbackInfo& info);
Napi::Value rnnSequence(const Napi::CallbackInfo& info);
Napi::Value rnnSequenceBackward(const Napi::CallbackInfo& info);
Napi::Value lstmSequence(const Napi::CallbackInfo& info);
Napi::Value lstmSequenceBackward(const Napi::CallbackInfo& info);

}  // namespace tsg
