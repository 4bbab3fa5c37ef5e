// Module entry: a context-aware Napi::Addon (one instance per isolate, no static JS state), so the
// addon loads in the main thread and in any number of worker threads at once.
#include <sched.h>

#include <cstdlib>
#include <mutex>
#include <new>
#include <string>

#include "conv_direct.h"
#include "gemm.h"
#include "kernels.h"
#include "malloc_tuning.h"
#include "threadpool.h"

namespace tsg {
namespace {

// Turns argument errors into TypeError/RangeError and keeps every C++ exception inside the call.
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
Napi::Value guarded(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    return F(info);
  } catch (const ArgError& e) {
    if (e.range) Napi::RangeError::New(env, e.message).ThrowAsJavaScriptException();
    else Napi::TypeError::New(env, e.message).ThrowAsJavaScriptException();
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
  } catch (const std::bad_alloc&) {
    Napi::RangeError::New(env, "tsgrad native: out of memory for temporary buffers").ThrowAsJavaScriptException();
  } catch (const std::exception& e) {
    Napi::Error::New(env, std::string("tsgrad native: ") + e.what()).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

int availableCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  return 1;
}

// TSGRAD_NUM_THREADS, else every CPU we may run on, and TSGRAD_SPIN_US (threadpool.cc). Parsed
// once per process; a bad value is reported on every load (the threads are process-wide, shared
// by all isolates).
std::string threadConfigError;

// Reads integer variable `name` into `out` when it is set and non-empty. A value that is not an
// integer in [lo, hi] sets threadConfigError to "<name> must be <what>, got "<value>"" and returns false.
bool readEnvInteger(const char* name, long lo, long hi, const char* what, long& out) {
  const char* env = std::getenv(name);
  if (env == nullptr || *env == '\0') return true;
  char* end = nullptr;
  long v = std::strtol(env, &end, 10);
  if (*end != '\0' || v < lo || v > hi) {
    threadConfigError = std::string(name) + " must be " + what + ", got \"" + env + "\"";
    return false;
  }
  out = v;
  return true;
}

void configureThreadsOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    long n = availableCpus();
    if (!readEnvInteger("TSGRAD_NUM_THREADS", 1, 1024, "a positive integer", n)) return;
    setNumThreads(int(n));
    long spin = poolSpinMicros();
    if (!readEnvInteger("TSGRAD_SPIN_US", 0, 1000000, "an integer from 0 to 1000000 (microseconds)", spin)) return;
    setPoolSpinMicros(spin);
  });
}

Napi::Value info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  BlasInfo b = blasInfo();
  Napi::Object o = Napi::Object::New(env);
  o.Set("blas", b.name);
  o.Set("blasVersion", b.version);
  o.Set("threads", getNumThreads());
  o.Set("poolThreads", poolThreads());
  o.Set("spinMicros", double(poolSpinMicros()));
  o.Set("cpus", availableCpus());
  o.Set("mallocTuned", tuneMallocOnce());
  o.Set("directConv", directConvCompiled());
#ifdef TSGRAD_NATIVE_ARCH_FLAGS
  o.Set("arch", TSGRAD_NATIVE_ARCH_FLAGS);
#endif
  return o;
}

Napi::Value setThreads(const Napi::CallbackInfo& info) {
  if (info.Length() != 1 || !info[0].IsNumber()) throwType("setNumThreads expects one number");
  double v = info[0].As<Napi::Number>().DoubleValue();
  if (!(v >= 1 && v <= 1024) || v != double(int(v))) throwRange("threads must be an integer in [1, 1024]");
  setNumThreads(int(v));
  return info.Env().Undefined();
}

class NativeAddon : public Napi::Addon<NativeAddon> {
 public:
  NativeAddon(Napi::Env env, Napi::Object exports) {
    configureThreadsOnce();
    tuneMallocOnce();
    if (!threadConfigError.empty()) throw Napi::RangeError::New(env, threadConfigError);
    DefineAddon(exports, {
        InstanceMethod<&NativeAddon::call<info>>("info"),
        InstanceMethod<&NativeAddon::call<setThreads>>("setNumThreads"),
        InstanceMethod<&NativeAddon::call<matmul>>("matmul"),
        InstanceMethod<&NativeAddon::call<gemmDebug>>("gemmDebug"),
        InstanceMethod<&NativeAddon::call<conv2d>>("conv2d"),
        InstanceMethod<&NativeAddon::call<conv2dBackwardInput>>("conv2dBackwardInput"),
        InstanceMethod<&NativeAddon::call<conv2dBackwardWeight>>("conv2dBackwardWeight"),
        InstanceMethod<&NativeAddon::call<maxPool2d>>("maxPool2d"),
        InstanceMethod<&NativeAddon::call<maxPool2dBackward>>("maxPool2dBackward"),
        InstanceMethod<&NativeAddon::call<avgPool2d>>("avgPool2d"),
        InstanceMethod<&NativeAddon::call<avgPool2dBackward>>("avgPool2dBackward"),
        InstanceMethod<&NativeAddon::call<unary>>("unary"),
        InstanceMethod<&NativeAddon::call<binary>>("binary"),
        InstanceMethod<&NativeAddon::call<binaryScalar>>("binaryScalar"),
        InstanceMethod<&NativeAddon::call<clamp>>("clamp"),
        InstanceMethod<&NativeAddon::call<where>>("where"),
        InstanceMethod<&NativeAddon::call<reluBackward>>("reluBackward"),
        InstanceMethod<&NativeAddon::call<fill>>("fill"),
        InstanceMethod<&NativeAddon::call<copy>>("copy"),
        InstanceMethod<&NativeAddon::call<reduce>>("reduce"),
        InstanceMethod<&NativeAddon::call<softmax>>("softmax"),
        InstanceMethod<&NativeAddon::call<sgdMomentum>>("sgdMomentum"),
        InstanceMethod<&NativeAddon::call<adam>>("adam"),
        InstanceMethod<&NativeAddon::call<lstmCell>>("lstmCell"),
        InstanceMethod<&NativeAddon::call<lstmCellBackward>>("lstmCellBackward"),
        InstanceMethod<&NativeAddon::call<rnnCell>>("rnnCell"),
        InstanceMethod<&NativeAddon::call<rnnCellBackward>>("rnnCellBackward"),
        InstanceMethod<&NativeAddon::call<rnnSequence>>("rnnSequence"),
        InstanceMethod<&NativeAddon::call<rnnSequenceBackward>>("rnnSequenceBackward"),
        InstanceMethod<&NativeAddon::call<lstmSequence>>("lstmSequence"),
        InstanceMethod<&NativeAddon::call<lstmSequenceBackward>>("lstmSequenceBackward"),
    });
  }

 private:
  template <Napi::Value (*F)(const Napi::CallbackInfo&)>
  Napi::Value call(const Napi::CallbackInfo& info) { return guarded<F>(info); }
};

}  // namespace
}  // namespace tsg

using tsg::NativeAddon;
NODE_API_ADDON(NativeAddon)
