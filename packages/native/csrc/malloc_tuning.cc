// Keeps big tensor buffers in glibc's heap instead of a fresh mmap per allocation.
//
// Tensor buffers are malloc'd by V8's ArrayBuffer allocator. glibc serves every request above
// M_MMAP_THRESHOLD (128 KiB, raised dynamically only past sizes that were freed, so a buffer of
// the same size as the last freed one is still mmapped) with its own mmap and munmaps it on
// free. A training step allocates the same activation and gradient sizes over and over, so each
// one was page-faulted in afresh: ~1.6 us per 4 KiB page on a VM, as much as a 256 x 256 GEMM's
// output takes to compute. With the thresholds raised, freed buffers up to 32 MiB go back to the
// heap and are reused while still resident.
//
// Trade-off: up to kTrim bytes of freed memory may stay resident (counted in RSS) instead of
// going back to the OS at once; RSS stays bounded by the peak working set plus that slack.
// Set TSGRAD_MALLOC_TUNING=0 to keep glibc's defaults; an explicit MALLOC_MMAP_THRESHOLD_ or
// MALLOC_TRIM_THRESHOLD_ in the environment also wins.
#include "malloc_tuning.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tsg {

namespace {
// The largest M_MMAP_THRESHOLD glibc accepts on 64-bit (HEAP_MAX_SIZE / 2); larger is refused.
constexpr int kMmapThreshold = 32 << 20;
constexpr int kTrim = 128 << 20;

bool set(const char* env) { return std::getenv(env) != nullptr; }
}  // namespace

bool tuneMallocOnce() {
  static bool tuned = false;
  static std::once_flag once;
  std::call_once(once, [] {
#if defined(__GLIBC__)
    const char* opt = std::getenv("TSGRAD_MALLOC_TUNING");
    if (opt != nullptr && std::strcmp(opt, "0") == 0) return;
    // Raising only the mmap threshold would let glibc trim the freed memory straight back.
    const bool mmapSet = set("MALLOC_MMAP_THRESHOLD_"), trimSet = set("MALLOC_TRIM_THRESHOLD_");
    if (mmapSet && trimSet) return;
    bool ok = true;
    if (!mmapSet) ok = mallopt(M_MMAP_THRESHOLD, kMmapThreshold) == 1 && ok;
    if (!trimSet) ok = mallopt(M_TRIM_THRESHOLD, kTrim) == 1 && ok;
    tuned = ok;
#endif
  });
  return tuned;
}

}  // namespace tsg
