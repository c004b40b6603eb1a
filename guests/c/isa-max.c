// isa-max: the Armv8.1-8.5 extensions of `--cpu max`, through ACLE intrinsics (arm_neon.h,
// arm_acle.h) and a little inline asm, compiled with -march=armv8.5-a+crypto+sha3+fp16fml.
// Checked against QEMU's -cpu max output. Known answers: AES-128 (FIPS-197 appendix C.1, encrypt
// and decrypt), SHA-1, SHA-256 and SHA-512 of "abc" (the FIPS 180-4 examples), computed with
// the SHA instructions; then results of PMULL 1Q, EOR3/RAX1/XAR/BCAX, SQRDMLAH/SQRDMLSH,
// SDOT/UDOT, FMLAL/FMLSL, FCADD/FCMLA, FJCVTZS, FRINT32Z/64X and CFINV/SETF8/RMIF/AXFLAG/XAFLAG.
// Exit status: the number of failed known-answer checks (0). Buffers are 16-byte aligned: gcc
// inlines memset with 8-byte stores, which fault on Device memory (MMU off) if misaligned.
#include <arm_acle.h>
#include <arm_neon.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int failures;
static void check(const char *what, const uint8_t *got, const char *want_hex) {
  // hex by hand: picolibc's sprintf stores 32 bytes with STP Q at the destination, which faults
  // on a 2-byte-aligned pointer with the MMU off (Device memory)
  static const char digits[] = "0123456789abcdef";
  char buf[160];
  size_t n = strlen(want_hex) / 2;
  for (size_t k = 0; k < n; k++) buf[2 * k] = digits[got[k] >> 4], buf[2 * k + 1] = digits[got[k] & 15];
  buf[2 * n] = 0;
  int ok = strcmp(buf, want_hex) == 0;
  failures += !ok;
  printf("%s: %s %s\n", what, buf, ok ? "ok" : "FAIL");
}
static void hex128(const char *what, uint8x16_t v) {
  uint8_t b[16];
  vst1q_u8(b, v);
  printf("%s:", what);
  for (int k = 15; k >= 0; k--) printf("%02x", b[k]);
  printf("\n");
}

// ---- AES-128 with AESE/AESMC and AESD/AESIMC; the key schedule in C ----
static uint8_t sbox[256];
static uint8_t gmul(uint8_t a, uint8_t b) {
  uint8_t p = 0;
  while (b) {
    if (b & 1) p ^= a;
    a = (uint8_t)((a << 1) ^ (a & 0x80 ? 0x1b : 0));
    b >>= 1;
  }
  return p;
}
static void make_sbox(void) {
  for (int x = 0; x < 256; x++) {
    uint8_t inv = 0;
    for (int y = 1; y < 256 && x; y++)
      if (gmul((uint8_t)x, (uint8_t)y) == 1) inv = (uint8_t)y;
    uint8_t s = inv;
    for (int r = 1; r <= 4; r++) s ^= (uint8_t)((inv << r) | (inv >> (8 - r)));
    sbox[x] = s ^ 0x63;
  }
}
static void aes128(void) {
  static volatile uint8_t key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  static volatile uint8_t pt[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
  uint8_t rk[11][16] __attribute__((aligned(16)));
  for (int k = 0; k < 16; k++) rk[0][k] = key[k];
  uint8_t rcon = 1;
  for (int r = 1; r <= 10; r++) {
    uint8_t t[4] = {sbox[rk[r - 1][13]], sbox[rk[r - 1][14]], sbox[rk[r - 1][15]], sbox[rk[r - 1][12]]};
    t[0] ^= rcon;
    rcon = gmul(rcon, 2);
    for (int k = 0; k < 16; k++) rk[r][k] = rk[r - 1][k] ^ (k < 4 ? t[k] : rk[r][k - 4]);
  }
  uint8_t in[16] __attribute__((aligned(16)));
  for (int k = 0; k < 16; k++) in[k] = pt[k];
  uint8x16_t s = vld1q_u8(in);
  for (int r = 0; r < 9; r++) s = vaesmcq_u8(vaeseq_u8(s, vld1q_u8(rk[r])));
  s = veorq_u8(vaeseq_u8(s, vld1q_u8(rk[9])), vld1q_u8(rk[10]));
  uint8_t out[16] __attribute__((aligned(16)));
  vst1q_u8(out, s);
  check("AES-128 encrypt", out, "69c4e0d86a7b0430d8cdb78070b4c55a");
  // the equivalent inverse cipher: AESD with AESIMC applied to the middle round keys
  s = vld1q_u8(out);
  s = vaesdq_u8(s, vld1q_u8(rk[10]));
  for (int r = 9; r >= 1; r--) s = vaesdq_u8(vaesimcq_u8(s), vaesimcq_u8(vld1q_u8(rk[r])));
  s = veorq_u8(s, vld1q_u8(rk[0]));
  vst1q_u8(out, s);
  check("AES-128 decrypt", out, "00112233445566778899aabbccddeeff");
}

// ---- SHA-1, SHA-256, SHA-512 of "abc" (one padded block) ----
static void block_abc(uint8_t *blk, int len) {
  memset(blk, 0, len);
  blk[0] = 'a', blk[1] = 'b', blk[2] = 'c', blk[3] = 0x80;
  blk[len - 1] = 24; // length in bits, big-endian
}
static uint32x4_t be32(const uint8_t *p) { return vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p))); }

static void sha1(void) {
  uint8_t blk[64] __attribute__((aligned(16)));
  block_abc(blk, 64);
  uint32x4_t abcd = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  uint32_t e = 0xc3d2e1f0;
  uint32x4_t w[4] = {be32(blk), be32(blk + 16), be32(blk + 32), be32(blk + 48)};
  static const uint32_t K[4] = {0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6};
  uint32x4_t a0 = abcd;
  uint32_t e0 = e;
  for (int i = 0; i < 20; i++) {
    uint32x4_t wk = vaddq_u32(w[i & 3], vdupq_n_u32(K[i / 5]));
    uint32_t en = vsha1h_u32(vgetq_lane_u32(abcd, 0));
    if (i < 5) abcd = vsha1cq_u32(abcd, e, wk);
    else if (i < 10 || i >= 15) abcd = vsha1pq_u32(abcd, e, wk);
    else abcd = vsha1mq_u32(abcd, e, wk);
    e = en;
    w[i & 3] = vsha1su1q_u32(vsha1su0q_u32(w[i & 3], w[(i + 1) & 3], w[(i + 2) & 3]), w[(i + 3) & 3]);
  }
  abcd = vaddq_u32(abcd, a0);
  e += e0;
  uint8_t out[20] __attribute__((aligned(16)));
  for (int k = 0; k < 4; k++) {
    uint32_t x = vgetq_lane_u32(abcd, 0);
    abcd = vextq_u32(abcd, abcd, 1);
    out[4 * k] = x >> 24, out[4 * k + 1] = x >> 16, out[4 * k + 2] = x >> 8, out[4 * k + 3] = x;
  }
  out[16] = e >> 24, out[17] = e >> 16, out[18] = e >> 8, out[19] = e;
  check("SHA-1(abc)", out, "a9993e364706816aba3e25717850c26c9cd0d89d");
}

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
    0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
    0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
static void sha256(void) {
  uint8_t blk[64] __attribute__((aligned(16)));
  block_abc(blk, 64);
  uint32x4_t s0 = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a};
  uint32x4_t s1 = {0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  uint32x4_t a = s0, b = s1;
  uint32x4_t w[4] = {be32(blk), be32(blk + 16), be32(blk + 32), be32(blk + 48)};
  for (int i = 0; i < 16; i++) {
    uint32x4_t wk = vaddq_u32(w[i & 3], vld1q_u32(K256 + 4 * i));
    uint32x4_t t = a;
    a = vsha256hq_u32(a, b, wk);
    b = vsha256h2q_u32(b, t, wk);
    if (i < 12) w[i & 3] = vsha256su1q_u32(vsha256su0q_u32(w[i & 3], w[(i + 1) & 3]), w[(i + 2) & 3], w[(i + 3) & 3]);
  }
  a = vaddq_u32(a, s0);
  b = vaddq_u32(b, s1);
  uint8_t out[32] __attribute__((aligned(16)));
  vst1q_u8(out, vrev32q_u8(vreinterpretq_u8_u32(a)));
  vst1q_u8(out + 16, vrev32q_u8(vreinterpretq_u8_u32(b)));
  check("SHA-256(abc)", out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static const uint64_t K512[80] = {
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538, 0x59f111f1b605d019,
    0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3,
    0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65, 0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
    0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
    0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
    0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b, 0xa2bfe8a14cf10364, 0xa81a664bbc423001,
    0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb,
    0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c, 0xd186b8c721c0c207,
    0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
    0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a,
    0x5fcb6fab3ad6faec, 0x6c44198c4a475817};
// The SHA-512 round structure as the Arm SHA512H/SHA512H2 instructions expect it: state in four
// 2-lane vectors (ab, cd, ef, gh), two rounds per SHA512H + SHA512H2 pair.
static void sha512(void) {
  uint8_t blk[128] __attribute__((aligned(16)));
  block_abc(blk, 128);
  uint64x2_t ab = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b}, cd = {0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1};
  uint64x2_t ef = {0x510e527fade682d1, 0x9b05688c2b3e6c1f}, gh = {0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};
  uint64x2_t s[4] = {ab, cd, ef, gh};
  uint64x2_t w[8];
  for (int k = 0; k < 8; k++) w[k] = vreinterpretq_u64_u8(vrev64q_u8(vld1q_u8(blk + 16 * k)));
  for (int i = 0; i < 40; i++) {
    // state rotation: each pair of rounds moves (ab, cd, ef, gh) one vector along
    uint64x2_t b = s[(1 + 4 - (i & 3)) & 3], c = s[(2 + 4 - (i & 3)) & 3], d = s[(3 + 4 - (i & 3)) & 3];
    uint64x2_t wk = vaddq_u64(w[i & 7], vld1q_u64(K512 + 2 * i));
    // the Arm-documented sequence for two rounds
    uint64x2_t t = vaddq_u64(vextq_u64(wk, wk, 1), d);
    uint64x2_t h1 = vsha512hq_u64(t, vextq_u64(c, d, 1), vextq_u64(b, c, 1));
    uint64x2_t nd = vaddq_u64(b, h1);
    uint64x2_t h2 = vsha512h2q_u64(h1, b, s[(0 + 4 - (i & 3)) & 3]);
    s[(3 + 4 - (i & 3)) & 3] = h2;
    s[(1 + 4 - (i & 3)) & 3] = nd;
    if (i < 32) w[i & 7] = vsha512su1q_u64(vsha512su0q_u64(w[i & 7], w[(i + 1) & 7]), w[(i + 7) & 7], vextq_u64(w[(i + 4) & 7], w[(i + 5) & 7], 1));
  }
  s[0] = vaddq_u64(s[0], ab), s[1] = vaddq_u64(s[1], cd), s[2] = vaddq_u64(s[2], ef), s[3] = vaddq_u64(s[3], gh);
  uint8_t out[64] __attribute__((aligned(16)));
  for (int k = 0; k < 4; k++) vst1q_u8(out + 16 * k, vrev64q_u8(vreinterpretq_u8_u64(s[k])));
  check("SHA-512(abc)", out,
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

static volatile uint64_t seed[4] = {0x0123456789abcdef, 0xfedcba9876543210, 0x8000000000000001, 0x5555aaaa3333cccc};

static void misc_crypto(void) {
  poly128_t p = vmull_p64(seed[0], seed[1]);
  hex128("PMULL", vreinterpretq_u8_p128(p));
  uint64x2_t a = {seed[0], seed[1]}, b = {seed[2], seed[3]}, c = {seed[1], seed[2]};
  hex128("EOR3", vreinterpretq_u8_u64(veor3q_u64(a, b, c)));
  hex128("BCAX", vreinterpretq_u8_u64(vbcaxq_u64(a, b, c)));
  hex128("RAX1", vreinterpretq_u8_u64(vrax1q_u64(a, b)));
  hex128("XAR", vreinterpretq_u8_u64(vxarq_u64(a, b, 13)));
}

static void rdm_dot(void) {
  int16x8_t x = vreinterpretq_s16_u64((uint64x2_t){seed[0], seed[2]});
  int16x8_t y = vreinterpretq_s16_u64((uint64x2_t){seed[1], seed[3]});
  int16x8_t acc = vdupq_n_s16(0x7000);
  hex128("SQRDMLAH.8H", vreinterpretq_u8_s16(vqrdmlahq_s16(acc, x, y)));
  hex128("SQRDMLSH.4S", vreinterpretq_u8_s32(vqrdmlshq_s32(vreinterpretq_s32_s16(acc), vreinterpretq_s32_s16(x), vreinterpretq_s32_s16(y))));
  hex128("SQRDMLAH.lane", vreinterpretq_u8_s16(vqrdmlahq_laneq_s16(acc, x, y, 5)));
  int8x16_t sx = vreinterpretq_s8_s16(x), sy = vreinterpretq_s8_s16(y);
  hex128("SDOT", vreinterpretq_u8_s32(vdotq_s32(vdupq_n_s32(-5), sx, sy)));
  hex128("UDOT", vreinterpretq_u8_u32(vdotq_u32(vdupq_n_u32(7), vreinterpretq_u8_s8(sx), vreinterpretq_u8_s8(sy))));
  hex128("SDOT.lane", vreinterpretq_u8_s32(vdotq_laneq_s32(vdupq_n_s32(0), sx, sy, 3)));
}

static volatile float fv[8] = {1.5f, -2.25f, 3.0e10f, -0.0f, 0.1f, 2147483520.0f, -7.75f, 1.0e-3f};
static volatile double dv[6] = {-1.5, 4294967296.0 + 7.0, -0.0, 1e300, 2147483647.9, -2147483648.0};

static void fp_ext(void) {
  float32x4_t a = {fv[0], fv[1], fv[2], fv[3]}, b = {fv[4], fv[5], fv[6], fv[7]};
  hex128("FCADD90", vreinterpretq_u8_f32(vcaddq_rot90_f32(a, b)));
  hex128("FCADD270", vreinterpretq_u8_f32(vcaddq_rot270_f32(a, b)));
  hex128("FCMLA0+90", vreinterpretq_u8_f32(vcmlaq_rot90_f32(vcmlaq_f32(b, a, b), a, b)));
  hex128("FCMLA180+270", vreinterpretq_u8_f32(vcmlaq_rot270_f32(vcmlaq_rot180_f32(b, a, b), a, b)));
  float16x8_t h = vcvt_high_f16_f32(vcvt_f16_f32(a), b);
  hex128("FMLAL", vreinterpretq_u8_f32(vfmlalq_low_f16(b, h, h)));
  hex128("FMLSL2", vreinterpretq_u8_f32(vfmlslq_high_f16(a, h, h)));
  hex128("FRINT32Z", vreinterpretq_u8_f32(vrnd32zq_f32(a)));
  hex128("FRINT64X", vreinterpretq_u8_f32(vrnd64xq_f32(b)));
  for (int k = 0; k < 6; k++) {
    int32_t r = __jcvt(dv[k]);
    printf("FJCVTZS(%d) = %ld\n", k, (long)r);
  }
}

static unsigned nzcv(void) {
  uint64_t f;
  __asm__ volatile("mrs %0, nzcv" : "=r"(f));
  return (unsigned)(f >> 28);
}
static void flags(void) {
  for (unsigned start = 0; start < 16; start += 5) {
    uint64_t s = (uint64_t)start << 28, f;
    __asm__ volatile("msr nzcv, %1\n cfinv\n mrs %0, nzcv" : "=r"(f) : "r"(s));
    unsigned c = (unsigned)(f >> 28);
    __asm__ volatile("msr nzcv, %1\n axflag\n mrs %0, nzcv" : "=r"(f) : "r"(s));
    unsigned ax = (unsigned)(f >> 28);
    __asm__ volatile("msr nzcv, %1\n xaflag\n mrs %0, nzcv" : "=r"(f) : "r"(s));
    printf("NZCV %x: CFINV %x AXFLAG %x XAFLAG %x\n", start, c, ax, (unsigned)(f >> 28));
  }
  __asm__ volatile("setf8 %w0" ::"r"((uint32_t)seed[2] + 0x7f));
  unsigned a = nzcv();
  __asm__ volatile("setf16 %w0" ::"r"((uint32_t)0x18000));
  unsigned b = nzcv();
  __asm__ volatile("rmif %0, #6, #0xb" ::"r"(seed[1]));
  printf("SETF8 %x SETF16 %x RMIF %x\n", a, b, nzcv());
}

int main(void) {
  make_sbox();
  aes128();
  sha1();
  sha256();
  sha512();
  misc_crypto();
  rdm_dot();
  fp_ext();
  flags();
  printf("failures: %d\n", failures);
  return failures;
}
