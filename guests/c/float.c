// float: floating point, checked against QEMU's output digit for digit.
//
// A Mandelbrot set in ASCII (double arithmetic, compare, convert), printf of doubles
// (%f %e %g %a, infinities, NaN, signed zero, subnormals), single precision sums,
// conversions at their edges (saturating FCVTZS/FCVTZU), explicit and contracted
// fused multiply-add, libm (sqrt, sin, exp, log, pow, fmod, ...), and rounding modes
// through fesetround (FPCR.RMode). Exit status 0.
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

// volatile keeps GCC from folding at compile time what the CPU should compute.
static volatile double vd[] = {1.0, 3.0, -0.0, 1e308, 2.5, -2.5, 0.1, 1e10, -1e10, 4294967296.0};
static volatile float vf[] = {1.0f, 3.0f, 0.1f, 16777216.0f};

static void mandelbrot(void) {
  const int w = 64, h = 22, max_iter = 60;
  const char *shades = " .:-=+*#%@";
  unsigned long total = 0;
  for (int y = 0; y < h; y++) {
    char line[80];
    for (int x = 0; x < w; x++) {
      double cr = -2.2 + 3.0 * x / w, ci = -1.2 + 2.4 * y / (h - 1);
      double zr = 0, zi = 0;
      int i = 0;
      while (i < max_iter && zr * zr + zi * zi <= 4.0) {
        double t = zr * zr - zi * zi + cr;
        zi = 2 * zr * zi + ci;
        zr = t;
        i++;
      }
      total += i;
      line[x] = i == max_iter ? '@' : shades[i % 9];
    }
    line[w] = 0;
    printf("|%s|\n", line);
  }
  printf("mandelbrot iterations: %lu\n", total);
}

static void conversions(void) {
  double one = vd[0], three = vd[1], nzero = vd[2], big = vd[3];
  printf("1/3 = %.17g  %f  %e  %a\n", one / three, one / three, one / three, one / three);
  printf("sqrt(2) = %.17g, 0.1 = %.20f\n", sqrt(one + one), vd[6]);
  printf("big*10 = %f, -big*10 = %f, nan = %f\n", big * 10, -big * 10, (big * 10) - (big * 10));
  printf("-0.0 = %g, 1/-0.0 = %g\n", nzero, one / nzero);
  printf("DBL_MIN/2**10 = %g, DBL_TRUE_MIN = %g, DBL_MAX = %g\n", DBL_MIN / 1024, one * DBL_TRUE_MIN, big * 1.797);
  printf("%%g: %g %g %g %g\n", 100000.0 * one, 1000000.0 * one, 1e-4 * one, 1e-5 * one);
  printf("%%8.3f: [%8.3f] [%-8.3f] [%+.2e]\n", vd[4], vd[5], vd[4]);
  // Float to integer: round toward zero, saturate, NaN -> 0 (FCVTZS / FCVTZU).
  double nan = (big * 10) - (big * 10);
  printf("(int)2.5=%d (int)-2.5=%d (int)1e10=%d (int)-1e10=%d (int)nan=%d\n", (int)vd[4], (int)vd[5],
         (int)vd[7], (int)vd[8], (int)nan);
  printf("(unsigned)-2.5=%u (uint32)2^32=%u (int64)1e308=%lld\n", (unsigned)vd[5], (uint32_t)vd[9],
         (long long)big);
  // Integer to float: rounding of a 64-bit integer into 53 and 24 bits (SCVTF / UCVTF).
  volatile uint64_t u = 0xffffffffffffffffULL;
  volatile int64_t s = 0x7ffffffffffffdffLL;
  printf("(double)u64max=%.17g (float)u64max=%.9g (double)s=%.17g\n", (double)u, (double)(float)u, (double)s);
  // Single precision: the harmonic sum in float is visibly different from double's.
  float hf = 0;
  double hd = 0;
  for (int n = 1; n <= 10000; n++) {
    hf += vf[0] / (float)n;
    hd += vd[0] / n;
  }
  printf("harmonic(10000): float %.9g, double %.17g\n", (double)hf, hd);
  printf("float: 0.1f = %.12g, 1/3f = %.9g, 2^24+1 = %.1f\n", (double)vf[2], (double)(vf[0] / vf[1]),
         (double)(vf[3] + vf[0]));
}

static void fused(void) {
  // fma rounds once: (1 + 2^-30)^2 - (1 + 2^-29) is 2^-60 exactly.
  double a = vd[0] + ldexp(vd[0], -30);
  double p = a * a;
  printf("fma: %a, a*a - b (GCC contracts it to a fused op too): %a\n", fma(a, a, -(vd[0] + ldexp(vd[0], -29))), p - (vd[0] + ldexp(vd[0], -29)));
}

static void libm(void) {
  double x = vd[4];  // 2.5
  printf("sin %.15g cos %.15g tan %.15g\n", sin(x), cos(x), tan(x));
  printf("exp %.15g log %.15g log10 %.15g pow %.15g\n", exp(x), log(x), log10(x), pow(x, 3.7));
  printf("atan2 %.15g hypot %.15g cbrt %.15g\n", atan2(x, -1.0 * vd[0]), hypot(x, 6.0), cbrt(x * 11));
  printf("floor %g ceil %g round %g trunc %g fmod %g\n", floor(vd[5]), ceil(vd[5]), round(vd[5]), trunc(vd[5]),
         fmod(10.0 * vd[0], x + 0.5));
  printf("sqrtf(2) %.9g expf(1) %.9g\n", (double)sqrtf(vf[0] + vf[0]), (double)expf(vf[0]));
}

static void rounding(void) {
  static const int modes[] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
  static const char *names[] = {"nearest", "upward", "downward", "toward zero"};
  for (int k = 0; k < 4; k++) {
    fesetround(modes[k]);
    volatile double r1 = rint(vd[4]), r2 = rint(vd[5]);
    volatile double q = vd[0] / vd[1];
    printf("%-11s rint(2.5)=%g rint(-2.5)=%g 1/3=%.17g\n", names[k], r1, r2, q);
  }
  fesetround(FE_TONEAREST);
}

int main(void) {
  mandelbrot();
  conversions();
  fused();
  libm();
  rounding();
  printf("done\n");
  return 0;
}
