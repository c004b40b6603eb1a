// sort: an integer workload for tests and benchmarks.
//
// Generates N pseudo-random 32-bit values with an LCG, sorts them with a
// quicksort that hands small partitions to insertion sort, checks the result
// against libc qsort on a copy, and prints checksums (FNV-1a and CRC-32) of the
// data before and after sorting. Exit status 0 when every check passes.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef N
#define N 5000
#endif

static uint32_t data[N];
static uint32_t copy[N];
static uint32_t lcg_state = 12345;

static uint32_t lcg(void) {
  // Numerical Recipes constants; the top bits are the better ones.
  lcg_state = lcg_state * 1664525u + 1013904223u;
  return lcg_state ^ (lcg_state >> 16);
}

static uint32_t fnv1a(const uint32_t *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) {
    uint32_t v = p[i];
    for (int b = 0; b < 4; b++) {
      h ^= (v >> (8 * b)) & 0xff;
      h *= 16777619u;
    }
  }
  return h;
}

static uint32_t crc32(const uint32_t *p, size_t n) {
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    uint32_t v = p[i];
    for (int b = 0; b < 4; b++) {
      crc ^= (v >> (8 * b)) & 0xff;
      for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
  }
  return ~crc;
}

static void insertion_sort(uint32_t *a, long lo, long hi) {
  for (long i = lo + 1; i <= hi; i++) {
    uint32_t v = a[i];
    long j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

static unsigned long partitions;

static void quicksort(uint32_t *a, long lo, long hi) {
  while (hi - lo > 16) {
    partitions++;
    // Median of three as the pivot.
    long mid = lo + (hi - lo) / 2;
    uint32_t x = a[lo], y = a[mid], z = a[hi];
    uint32_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
    long i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        uint32_t t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    // Recurse into the smaller side, loop on the larger (bounded stack).
    if (j - lo < hi - i) {
      quicksort(a, lo, j);
      lo = i;
    } else {
      quicksort(a, i, hi);
      hi = j;
    }
  }
  insertion_sort(a, lo, hi);
}

static int cmp_u32(const void *pa, const void *pb) {
  uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
  return (a > b) - (a < b);
}

int main(void) {
  int failures = 0;
  for (long i = 0; i < N; i++) data[i] = lcg();
  memcpy(copy, data, sizeof data);
  printf("sort: %d values\n", N);
  printf("  unsorted: fnv1a=%08lx crc32=%08lx first=%08lx last=%08lx\n",
         (unsigned long)fnv1a(data, N), (unsigned long)crc32(data, N),
         (unsigned long)data[0], (unsigned long)data[N - 1]);

  quicksort(data, 0, N - 1);
  qsort(copy, N, sizeof copy[0], cmp_u32);

  long inversions = 0;
  for (long i = 1; i < N; i++)
    if (data[i - 1] > data[i]) inversions++;
  int same = memcmp(data, copy, sizeof data) == 0;
  printf("  sorted:   fnv1a=%08lx crc32=%08lx min=%08lx max=%08lx\n",
         (unsigned long)fnv1a(data, N), (unsigned long)crc32(data, N),
         (unsigned long)data[0], (unsigned long)data[N - 1]);
  printf("  partitions=%lu inversions=%ld matches-qsort=%s\n", partitions, inversions,
         same ? "yes" : "NO");
  if (inversions != 0) failures++;
  if (!same) failures++;

  // Median and a 64-bit sum, to exercise wide arithmetic.
  uint64_t sum = 0;
  for (long i = 0; i < N; i++) sum += data[i];
  printf("  median=%lu sum=%llu\n", (unsigned long)data[N / 2], (unsigned long long)sum);
  printf("%s\n", failures ? "FAIL" : "PASS");
  return failures;
}
