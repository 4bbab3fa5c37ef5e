#pragma once

namespace tsg {

/**
 * Raises glibc's mmap and trim thresholds once per process (see malloc_tuning.cc) unless
 * TSGRAD_MALLOC_TUNING=0 or glibc's own MALLOC_*_THRESHOLD_ variables are set. True when applied.
 */
bool tuneMallocOnce();

}  // namespace tsg
