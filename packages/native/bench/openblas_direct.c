// Baseline for bench.ts: cblas_sgemm called directly from C, same sizes and timing method.
// Usage: openblas_direct n reps  -> prints the median seconds of one n x n x n SGEMM.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void cblas_sgemm(int order, int ta, int tb, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
                 int ldb, float beta, float* C, int ldc);

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 256, reps = argc > 2 ? atoi(argv[2]) : 20;
  float* a = malloc(sizeof(float) * n * n);
  float* b = malloc(sizeof(float) * n * n);
  float* c = malloc(sizeof(float) * n * n);
  double* t = malloc(sizeof(double) * reps);
  for (int i = 0; i < n * n; i++) a[i] = (float)rand() / RAND_MAX, b[i] = (float)rand() / RAND_MAX;
  for (int i = 0; i < 3; i++) cblas_sgemm(101, 111, 111, n, n, n, 1.f, a, n, b, n, 0.f, c, n);
  for (int r = 0; r < reps; r++) {
    double t0 = now();
    cblas_sgemm(101, 111, 111, n, n, n, 1.f, a, n, b, n, 0.f, c, n);
    t[r] = now() - t0;
  }
  qsort(t, reps, sizeof(double), cmp);
  printf("%.9f\n", t[reps / 2]);
  return 0;
}
