#include "threadpool.h"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace tsg {
namespace {

constexpr int kMaxThreads = 64;

struct Pool {
  std::mutex busy;  // one parallel region at a time, process-wide (several isolates share the pool)
  std::mutex m;
  std::condition_variable wake, done;
  std::vector<std::thread> workers;
  const std::function<void(int64_t, int)>* body = nullptr;
  int64_t n = 0;
  std::atomic<int64_t> next{0};
  uint64_t generation = 0;
  int active = 0;    // workers taking part in this generation
  int running = 0;   // workers not yet finished with it
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
    std::unique_lock<std::mutex> lock(m);
    for (;;) {
      wake.wait(lock, [&] { return generation != seen; });
      seen = generation;
      if (tid > active) continue;  // not needed this time
      lock.unlock();
      work(tid);
      lock.lock();
      if (--running == 0) done.notify_one();
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

void parallelFor(int64_t n, const std::function<void(int64_t, int)>& body, bool serial, int maxThreads) {
  if (n <= 0) return;
  Pool& p = pool();
  int want = p.threads.load();
  if (maxThreads > 0 && want > maxThreads) want = maxThreads;
  if (int64_t(want) > n) want = int(n);
  if (serial || want <= 1) {
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
    p.next.store(0);
    p.active = want - 1;
    p.running = want - 1;
    p.generation++;
  }
  p.wake.notify_all();
  p.work(0);
  std::unique_lock<std::mutex> lock(p.m);
  p.done.wait(lock, [&] { return p.running == 0; });
  p.body = nullptr;
  if (p.error) {
    std::exception_ptr e = p.error;
    p.error = nullptr;
    std::rethrow_exception(e);
  }
}

}  // namespace tsg
