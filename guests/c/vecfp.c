// Vectorised floating point: loops gcc -O2 -ftree-vectorize turns into Advanced SIMD code
// (FMLA/FMUL/FADD on .4s and .2d lanes, LD1/ST1 or LDR Q), with results printed as exact integers
// or hex bit patterns so that no double formatting (and no unaligned store in picolibc's dtoa)
// is involved. Built with -ffp-contract=off so QEMU and a64hv see the same unfused operations,
// except where fmaf/fma is asked for by name.
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define N 1024
static float xs[N], ys[N], zs[N];
static double xd[N], yd[N];
static int32_t qi[N];

static uint32_t f2u(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static uint64_t d2u(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }

__attribute__((noinline)) static void saxpy(float a, const float *x, float *y, int n) {
  for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i];
}
__attribute__((noinline)) static void daxpy(double a, const double *x, double *y, int n) {
  for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i];
}
__attribute__((noinline)) static void scale_add(float *z, const float *x, const float *y, int n) {
  for (int i = 0; i < n; i++) z[i] = x[i] * 0.5f - y[i] / 4.0f;
}
__attribute__((noinline)) static void to_fixed(int32_t *q, const float *x, int n) {
  for (int i = 0; i < n; i++) q[i] = (int32_t)(x[i] * 256.0f);
}
__attribute__((noinline)) static void clampf(float *y, int n, float lo, float hi) {
  for (int i = 0; i < n; i++) y[i] = y[i] < lo ? lo : (y[i] > hi ? hi : y[i]);
}

int main(void) {
  uint32_t seed = 12345;
  for (int i = 0; i < N; i++) {
    seed = seed * 1103515245u + 12345u;
    xs[i] = (float)((int32_t)(seed >> 8) % 20000) / 97.0f;
    ys[i] = (float)i * 0.25f - 100.0f;
    xd[i] = (double)xs[i] * 1.0000001;
    yd[i] = (double)i / 3.0;
  }
  saxpy(1.5f, xs, ys, N);
  daxpy(-0.75, xd, yd, N);
  scale_add(zs, xs, ys, N);
  clampf(ys, N, -50.0f, 150.0f);
  to_fixed(qi, zs, N);

  uint32_t hs = 2166136261u;
  uint64_t hd = 1469598103934665603ull;
  int64_t qsum = 0;
  for (int i = 0; i < N; i++) {
    hs = (hs ^ f2u(ys[i])) * 16777619u;
    hs = (hs ^ f2u(zs[i])) * 16777619u;
    hd = (hd ^ d2u(yd[i])) * 1099511628211ull;
    qsum += qi[i];
  }
  printf("vecfp: n=%d\n", N);
  printf("  saxpy/clamp y[1]=%08lx y[511]=%08lx y[1023]=%08lx\n", (unsigned long)f2u(ys[1]),
         (unsigned long)f2u(ys[511]), (unsigned long)f2u(ys[1023]));
  printf("  daxpy yd[7]=%016llx yd[1000]=%016llx\n", (unsigned long long)d2u(yd[7]),
         (unsigned long long)d2u(yd[1000]));
  printf("  fnv32(floats)=%08lx fnv64(doubles)=%016llx fixed-sum=%lld\n", (unsigned long)hs,
         (unsigned long long)hd, (long long)qsum);
  return 0;
}
