// intops: compiled integer code paths, checked against QEMU's output.
//
// 128-bit arithmetic (UMULH/SMULH, libgcc's __int128 division), division edge cases
// (by zero and INT64_MIN / -1, defined for SDIV/UDIV; inline asm since C leaves them
// undefined), clz/ctz/popcount (CLZ, RBIT, SIMD CNT/ADDV), byte reversal (REV*),
// hardware CRC-32 and CRC-32C (CRC32*), bitfields (UBFX/BFI/SBFX), a switch jump table,
// function pointers, deep recursion, and setjmp/longjmp. Exit status 0.
#include <arm_acle.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>

// volatile: computed at run time, not folded by the compiler.
static volatile uint64_t vu[] = {0xfedcba9876543210ULL, 0x0123456789abcdefULL, 0, 1, 0xffffffffffffffffULL};
static volatile int64_t vs[] = {INT64_MIN, -1, -7, 2, 0};

static int64_t sdiv64(int64_t a, int64_t b) {
  int64_t r;
  __asm__("sdiv %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
static uint32_t udiv32(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("udiv %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(b));
  return r;
}

static void wide(void) {
  unsigned __int128 p = (unsigned __int128)vu[0] * vu[1];
  __int128 q = (__int128)(int64_t)vu[0] * (int64_t)vu[1];
  printf("umul128: %016llx%016llx\n", (unsigned long long)(p >> 64), (unsigned long long)p);
  printf("smul128: %016llx%016llx\n", (unsigned long long)((unsigned __int128)q >> 64), (unsigned long long)q);
  unsigned __int128 n = p + 12345;
  unsigned __int128 d = n / vu[1];
  printf("u128 / u64: %016llx%016llx, u128 %% 1000000007: %llu\n", (unsigned long long)(d >> 64),
         (unsigned long long)d, (unsigned long long)(n % 1000000007u));
  __int128 sq = q / -3;
  printf("s128 / -3: %016llx%016llx\n", (unsigned long long)((unsigned __int128)sq >> 64), (unsigned long long)sq);
}

static void division(void) {
  printf("sdiv: min/-1=%lld 7/0=%lld -7/2=%lld -7%%2=%lld\n", (long long)sdiv64(vs[0], vs[1]),
         (long long)sdiv64(-vs[2], vs[4]), (long long)sdiv64(vs[2], vs[3]), (long long)(vs[2] % vs[3]));
  printf("udiv: max/0=%u max/7=%u\n", udiv32((uint32_t)vu[4], (uint32_t)vu[2]), udiv32((uint32_t)vu[4], 7));
  uint64_t acc = 0;
  for (uint64_t k = 1; k < 2000; k++) acc += vu[0] / k + vu[0] % (k + 3) + (uint64_t)((int64_t)vu[1] / -(int64_t)k);
  printf("division sum: %016llx\n", (unsigned long long)acc);
}

static void bits(void) {
  uint64_t x = vu[0], y = vu[1];
  printf("clz %d %d ctz %d %d popcount %d %d clrsb %d\n", __builtin_clzll(y), __builtin_clz((uint32_t)y),
         __builtin_ctzll(x), __builtin_ctz((uint32_t)(x >> 4)), __builtin_popcountll(x), __builtin_popcount((uint32_t)y),
         __builtin_clrsbll((int64_t)x));
  printf("bswap %016llx %08x %04x rbit %016llx\n", (unsigned long long)__builtin_bswap64(x), __builtin_bswap32((uint32_t)x),
         __builtin_bswap16((uint16_t)x), (unsigned long long)__rbitll(x));
  printf("ror %016llx rol %016llx\n", (unsigned long long)((x >> 13) | (x << 51)), (unsigned long long)((x << 7) | (x >> 57)));
  uint32_t crc = 0xffffffff, crcc = 0xffffffff;
  for (int k = 0; k < 64; k++) {
    uint64_t v = x * (uint64_t)(k + 1) + y;
    crc = __crc32d(crc, v);
    crc = __crc32b(crc, (uint8_t)k);
    crcc = __crc32cw(crcc, (uint32_t)v);
    crcc = __crc32ch(crcc, (uint16_t)(v >> 32));
  }
  printf("crc32 %08x crc32c %08x\n", ~crc, ~crcc);
}

struct packed_fields {
  unsigned a : 3;
  signed b : 5;
  unsigned c : 11;
  signed d : 13;
  unsigned long long e : 29;
  unsigned long long f : 35;
};

static void bitfields(void) {
  volatile struct packed_fields pf = {0};
  uint64_t sum = 0;
  for (int k = 0; k < 100; k++) {
    pf.a = k;
    pf.b = -k;
    pf.c = k * 37;
    pf.d = -k * 101;
    pf.e = (unsigned long long)k * 0x1234567;
    pf.f = ~(unsigned long long)k;
    sum = sum * 31 + pf.a + (uint64_t)(int64_t)pf.b + pf.c + (uint64_t)(int64_t)pf.d + pf.e + pf.f;
  }
  printf("bitfields: %016llx\n", (unsigned long long)sum);
}

static const char *opname(int op) {
  switch (op) {  // dense cases: a jump table
    case 0: return "add";
    case 1: return "sub";
    case 2: return "mul";
    case 3: return "and";
    case 4: return "orr";
    case 5: return "eor";
    case 6: return "lsl";
    case 7: return "lsr";
    case 8: return "asr";
    default: return "?";
  }
}

static int64_t op_add(int64_t a, int64_t b) { return a + b; }
static int64_t op_sub(int64_t a, int64_t b) { return a - b; }
static int64_t op_mul(int64_t a, int64_t b) { return a * b; }
static int64_t op_and(int64_t a, int64_t b) { return a & b; }
static int64_t op_orr(int64_t a, int64_t b) { return a | b; }
static int64_t op_eor(int64_t a, int64_t b) { return a ^ b; }
static int64_t op_lsl(int64_t a, int64_t b) { return (int64_t)((uint64_t)a << (b & 63)); }
static int64_t op_lsr(int64_t a, int64_t b) { return (int64_t)((uint64_t)a >> (b & 63)); }
static int64_t op_asr(int64_t a, int64_t b) { return a >> (b & 63); }
static int64_t (*const ops[])(int64_t, int64_t) = {op_add, op_sub, op_mul, op_and, op_orr, op_eor, op_lsl, op_lsr, op_asr};

static void dispatch(void) {
  int64_t v = (int64_t)vu[1];
  for (int k = 0; k < 9; k++) {
    int64_t r = ops[k](v, (int64_t)vs[2] * -(k + 1));
    printf("%s=%016llx%c", opname(k), (unsigned long long)r, k % 3 == 2 ? '\n' : ' ');
  }
}

static unsigned ackermann(unsigned m, unsigned n) {
  if (m == 0) return n + 1;
  if (n == 0) return ackermann(m - 1, 1);
  return ackermann(m - 1, ackermann(m, n - 1));
}

static jmp_buf env;
static int depth_reached;

__attribute__((noinline)) static void dive(int depth) {
  depth_reached = depth;
  if (depth > 1000) return;  // never: keeps GCC from calling this infinite recursion
  if (depth == 50) longjmp(env, depth * 2);
  dive(depth + 1);
  __asm__ volatile("" ::: "memory");  // not a tail call
}

int main(void) {
  wide();
  division();
  bits();
  bitfields();
  dispatch();
  printf("ackermann(2, 300) = %u, ackermann(3, 5) = %u\n", ackermann(2, 300), ackermann(3, 5));
  int got = setjmp(env);
  if (got == 0) dive(0);
  printf("longjmp from depth %d returned %d\n", depth_reached, got);
  printf("done\n");
  return 0;
}
