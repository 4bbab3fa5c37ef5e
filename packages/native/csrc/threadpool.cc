#include "threadpool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <sched.h>
#include <vector>

namespace tsg {
namespace {

constexpr int kMaxThreads = 64;

// True on a thread while it runs tasks of a parallel region: a parallelFor nested inside one
// (a sliced GEMM inside a per-image conv task) runs inline rather than waiting on the pool.
thread_local bool inRegion = false;

/**
 * How long an idle worker (and a caller waiting for its workers) polls before sleeping on a
 * condition variable, in microseconds. Waking a sleeping thread costs 35-40 us each way on the
 * KVM and Firecracker machines we measure on (a condvar round trip takes 75-95 us; an atomic
 * flag seen by a polling thread, under 1 us), which is more than most of our parallel regions
 * take, so a pool that always slept made two threads slower than one for work under ~0.2 ms. A
 * training step issues its parallel regions a few hundred microseconds apart, so workers stay
 * awake through a step and sleep once the process goes idle, as OpenMP runtimes do (libgomp and
 * Intel's spin for similar times). TSGRAD_SPIN_US sets it (addon.cc; 0: always sleep).
 */
std::atomic<long> spinMicros{1000};

std::chrono::nanoseconds spinTime() { return std::chrono::microseconds(spinMicros.load(std::memory_order_relaxed)); }

/** Spins until pred() holds or the spin time (or `stop` changing from `stopSeen`) ends; returns pred(). */
template <typename Pred>
bool spinUntil(Pred pred, const std::atomic<uint64_t>* stop = nullptr, uint64_t stopSeen = 0) {
  const auto limit = spinTime();
  if (limit.count() == 0) return pred();
  const auto start = std::chrono::steady_clock::now();
  for (unsigned i = 1;; i++) {
    if (pred()) return true;
    if (stop != nullptr && stop->load(std::memory_order_relaxed) != stopSeen) return false;
    // Yield rather than pause: a thread that wants this core (V8's compiler, a DataLoader worker,
    // BLAS) runs at once instead of sharing it with our spinning; measured no slower here.
    sched_yield();
    if ((i & 63) == 0 && std::chrono::steady_clock::now() - start > limit) return pred();
  }
}

struct Pool {
  std::mutex busy;  // one parallel region at a time, process-wide (several isolates share the pool)
  std::mutex m;     // guards the sleeping side: workers sleep on `wake`, the caller on `done`
  std::condition_variable wake, done;
  std::vector<std::thread> workers;
  // Published before `generation` is bumped (release) and read after it is seen (acquire).
  const std::function<void(int64_t, int)>* body = nullptr;
  int64_t n = 0;
  std::atomic<int64_t> next{0};
  // A region's number << 8 | the workers taking part in it (tids 1..active): one word, so a
  // worker left out of one region can never read the next region's count against this one.
  std::atomic<uint64_t> generation{0};
  // Who takes part in the current region: its number (low 32 bits) << 32 | kClosed once the caller
  // has run out of tasks | the workers that joined before that. A worker joins before touching the
  // region and the caller waits only for those that joined: a worker that was descheduled when the
  // region was published (V8's compiler threads, GC, another process on a small machine) and
  // wakes after the caller has done every task itself no longer holds the caller up.
  std::atomic<uint64_t> join{0};
  std::atomic<int> finished{0};       // joined workers done with the current region
  std::atomic<uint64_t> parkEpoch{0};  // bumped to send spinning workers to sleep at once
  std::atomic<int> threads{1};
  std::exception_ptr error;  // first exception thrown by a task (say bad_alloc), rethrown by the caller

  void work(int tid) {
    for (;;) {
      int64_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= n) break;
      try {
        (*body)(i, tid);
      } catch (...) {
        std::lock_guard<std::mutex> lock(m);
        if (!error) error = std::current_exception();
        next.store(n);  // skip the remaining tasks
      }
    }
  }

  void workerLoop(int tid) {
    uint64_t seen = 0;
    for (;;) {
      const uint64_t park = parkEpoch.load(std::memory_order_relaxed);
      if (!spinUntil([&] { return generation.load(std::memory_order_acquire) != seen; }, &parkEpoch, park)) {
        std::unique_lock<std::mutex> lock(m);
        wake.wait(lock, [&] { return generation.load(std::memory_order_acquire) != seen; });
      }
      seen = generation.load(std::memory_order_acquire);
      if (tid > int(seen & 0xff)) continue;  // not needed this time
      if (!tryJoin(uint32_t(seen >> 8))) continue;  // too late: the caller has finished the region
      inRegion = true;
      work(tid);
      inRegion = false;
      const int done_ = finished.fetch_add(1, std::memory_order_acq_rel) + 1;
      const uint64_t js = join.load(std::memory_order_acquire);
      if ((js & kClosed) != 0 && done_ == int(js & kJoinedMask)) {
        std::lock_guard<std::mutex> lock(m);  // the caller may be between its check and its wait
        done.notify_one();
      }
    }
  }

  static constexpr uint64_t kClosed = uint64_t(1) << 31;
  static constexpr uint64_t kJoinedMask = kClosed - 1;

  /** Counts this worker into region `region` unless it is over or closed to newcomers. */
  bool tryJoin(uint32_t region) {
    uint64_t s = join.load(std::memory_order_acquire);
    for (;;) {
      if (uint32_t(s >> 32) != region || (s & kClosed) != 0) return false;
      if (join.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) return true;
    }
  }
};

// Leaked on purpose: worker threads are detached and live as long as the process.
Pool& pool() {
  static Pool* p = new Pool();
  return *p;
}

}  // namespace

void setPoolThreads(int n) {
  if (n < 1) n = 1;
  if (n > kMaxThreads) n = kMaxThreads;
  pool().threads.store(n);
}

int poolThreads() { return pool().threads.load(); }
int maxThreadSlots() { return kMaxThreads; }

bool inParallelRegion() { return inRegion; }

void setPoolSpinMicros(long us) { spinMicros.store(us < 0 ? 0 : us, std::memory_order_relaxed); }
long poolSpinMicros() { return spinMicros.load(std::memory_order_relaxed); }

void parkPoolWorkers() { pool().parkEpoch.fetch_add(1, std::memory_order_relaxed); }

void parallelFor(int64_t n, const std::function<void(int64_t, int)>& body, bool serial, int maxThreads) {
  if (n <= 0) return;
  Pool& p = pool();
  int want = p.threads.load();
  if (maxThreads > 0 && want > maxThreads) want = maxThreads;
  if (int64_t(want) > n) want = int(n);
  if (serial || want <= 1 || inRegion) {
    for (int64_t i = 0; i < n; i++) body(i, 0);
    return;
  }
  std::unique_lock<std::mutex> busy(p.busy, std::try_to_lock);
  if (!busy.owns_lock()) {  // another isolate is using the pool: do our share alone
    for (int64_t i = 0; i < n; i++) body(i, 0);
    return;
  }
  {
    std::unique_lock<std::mutex> lock(p.m);
    while (int(p.workers.size()) < want - 1) {
      int tid = int(p.workers.size()) + 1;
      p.workers.emplace_back([tid] { pool().workerLoop(tid); });
      p.workers.back().detach();
    }
    p.body = &body;
    p.n = n;
    p.next.store(0, std::memory_order_relaxed);
    // Under the lock, so a worker between its predicate check and its wait cannot miss it.
    const uint64_t region = (p.generation.load(std::memory_order_relaxed) >> 8) + 1;
    p.finished.store(0, std::memory_order_relaxed);
    p.join.store(uint64_t(uint32_t(region)) << 32, std::memory_order_relaxed);
    p.generation.store(region << 8 | uint64_t(want - 1), std::memory_order_release);
  }
  p.wake.notify_all();
  inRegion = true;
  p.work(0);
  inRegion = false;
  // Every task is taken: close the region to workers that have not joined yet, then wait for
  // those that have (they may still be running their last task).
  const int joined = int(p.join.fetch_or(Pool::kClosed, std::memory_order_acq_rel) & Pool::kJoinedMask);
  auto allDone = [&] { return p.finished.load(std::memory_order_acquire) == joined; };
  if (!spinUntil(allDone)) {
    std::unique_lock<std::mutex> lock(p.m);
    p.done.wait(lock, allDone);
  }
  p.body = nullptr;
  if (p.error) {
    std::exception_ptr e = p.error;
    p.error = nullptr;
    std::rethrow_exception(e);
  }
}

}  // namespace tsg
