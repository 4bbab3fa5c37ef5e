// A small process-wide fork-join pool for the memory-bound loops we parallelise ourselves
// (im2col/col2im, pooling, the bundled GEMM). BLAS runs its own threads; our parallel regions
// never run while a BLAS call of ours is in flight, so the two never oversubscribe the cores.
#pragma once
#include <cstdint>
#include <functional>

namespace tsg {

/** Sets the thread count used by parallelFor (>= 1). */
void setPoolThreads(int n);
int poolThreads();

/**
 * Runs body(i, tid) for every i in [0, n), spread over up to poolThreads() threads, or at most
 * maxThreads when that is positive (tid < that bound: callers with per-thread buffers pass their size).
 * Runs inline when n is 1, when `serial` is set, or when another isolate holds the pool.
 * The caller takes tasks too and waits only for the workers that joined before it ran out of
 * tasks: a worker descheduled when the region started (by V8's compiler, say) skips it.
 * If a task throws, the remaining tasks are skipped and the first exception is rethrown here.
 */
void parallelFor(int64_t n, const std::function<void(int64_t, int)>& body, bool serial = false, int maxThreads = 0);

/**
 * Sends workers that are spinning between parallel regions to sleep now, so they do not compete
 * for the cores with a call that brings its own threads (a threaded BLAS GEMM).
 */
void parkPoolWorkers();

/** How long idle workers poll for the next region before sleeping (TSGRAD_SPIN_US; 0: never). */
void setPoolSpinMicros(long us);
long poolSpinMicros();

/** True while this thread runs tasks of a parallel region (a nested parallelFor runs inline). */
bool inParallelRegion();

/** The largest tid parallelFor can pass, plus one. */
int maxThreadSlots();

}  // namespace tsg
