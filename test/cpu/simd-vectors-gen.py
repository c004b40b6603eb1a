#!/usr/bin/python3
"""Advanced SIMD differential vectors with unicorn (Debian python3-unicorn 2.0.1, CPU MAX).

Each encoding group of C4.1.90 is enumerated over its fields (Q, U, size, opcode, shifts,
immediates) with registers fixed (d=0, n=1, m=2) and random/edge inputs. A case records the
word, V0..V4, X1, FPCR in, and V0, X0, FPSR out, or undef=1 when unicorn raises an exception.
Output: test/cpu/simd-vectors.json.gz, replayed by test/cpu/simd-vectors.test.ts.
Run: /usr/bin/python3 test/cpu/simd-vectors-gen.py
"""
import gzip, json, random, struct, sys
from unicorn import Uc, UcError, UC_ARCH_ARM64, UC_MODE_ARM
from unicorn import arm64_const as A

BASE = 0x40000000
rnd = random.Random(2)
mu = Uc(UC_ARCH_ARM64, UC_MODE_ARM)
mu.mem_map(BASE, 0x10000)
cases = []

def s(x): return struct.unpack('<I', struct.pack('<f', x))[0]
def d(x): return struct.unpack('<Q', struct.pack('<d', x))[0]
S_EDGE = [0, 1 << 31, s(1.0), s(-1.5), s(0.1), s(2.5), 0x00000001, 0x807fffff, 0x7f7fffff, 0x7f800000, 0xff800000,
          0x7fc00001, 0x7f800123, s(3e9), s(-3e9), s(1e30), s(0.5), s(-0.5), s(65504.0), s(1e-5), s(7.0)]
D_EDGE = [0, 1 << 63, d(1.0), d(-1.5), d(0.1), d(2.5), 1, 0x800fffffffffffff, 0x7fefffffffffffff, 0x7ff0000000000000,
          0x7ff8000000000001, 0x7ff0000000000123, d(3e18), d(-1e19), d(1e300), d(0.5), d(-0.5), d(7.0), d(1e-310)]

def rand128():
    k = rnd.randrange(10)
    if k == 0: return rnd.choice([0, (1 << 128) - 1, 0x80808080808080808080808080808080, 0x7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f,
                                  0x80008000800080008000800080008000, 0x7fffffff7fffffff8000000080000000,
                                  0x7fffffffffffffff8000000000000000])
    if k == 1:  # small bytes (TBL indices, shift counts)
        return int.from_bytes(bytes(rnd.choice([rnd.randrange(0, 64), rnd.randrange(0, 16), 0xf8 + rnd.randrange(8)]) for _ in range(16)), 'little')
    return rnd.getrandbits(128)
def randfp128():
    if rnd.random() < 0.5:
        return sum(rnd.choice(S_EDGE) << (32 * k) for k in range(4))
    return rnd.choice(D_EDGE) | (rnd.choice(D_EDGE) << 64)

def run(word, fp=False, x1=None, fpcr=0):
    v = [rand128() if not fp else randfp128() for _ in range(5)]
    if x1 is None: x1 = rnd.getrandbits(64)
    mu.mem_write(BASE, struct.pack('<I', word))
    mu.reg_write(A.UC_ARM64_REG_CPACR_EL1, 3 << 20)
    for k in range(5):
        mu.reg_write(A.UC_ARM64_REG_Q0 + k, v[k])
    mu.reg_write(A.UC_ARM64_REG_X0, 0)
    mu.reg_write(A.UC_ARM64_REG_X1, x1)
    mu.reg_write(A.UC_ARM64_REG_FPCR, fpcr)
    mu.reg_write(A.UC_ARM64_REG_FPSR, 0)
    undef = 0
    try:
        mu.emu_start(BASE, BASE + 4)
    except UcError:
        undef = 1
    out = [mu.reg_read(A.UC_ARM64_REG_Q0), mu.reg_read(A.UC_ARM64_REG_X0), mu.reg_read(A.UC_ARM64_REG_FPSR)]
    cases.append([word, [hex(x) for x in v], hex(x1), fpcr, hex(out[0]), hex(out[1]), out[2], undef])

N = 3
D_, N_, M_ = 0, 1, 2
FPCRS = [0, 0, 1 << 25, 1 << 24, 1 << 22, 2 << 22, 3 << 22]
for q in (0, 1):
    for u in (0, 1):
        for size in range(4):
            # three same (integer and FP)
            for opc in range(32):
                w = 0x0E200400 | (q << 30) | (u << 29) | (size << 22) | (M_ << 16) | (opc << 11) | (N_ << 5) | D_
                for _ in range(N if opc < 24 else 6):
                    run(w, fp=opc >= 24, fpcr=rnd.choice(FPCRS) if opc >= 24 else 0)
            # two-register misc
            for opc in range(32):
                w = 0x0E200800 | (q << 30) | (u << 29) | (size << 22) | (opc << 12) | (N_ << 5) | D_
                fp = opc >= 12 and size >= 2 or opc >= 22
                for _ in range(N if not fp else 6):
                    run(w, fp=fp, fpcr=rnd.choice(FPCRS) if fp else 0)
            # across lanes
            for opc in (3, 10, 12, 15, 26, 27):
                w = 0x0E300800 | (q << 30) | (u << 29) | (size << 22) | (opc << 12) | (N_ << 5) | D_
                for _ in range(N):
                    run(w, fp=opc in (12, 15))
            # three different
            for opc in range(16):
                w = 0x0E200000 | (q << 30) | (u << 29) | (size << 22) | (M_ << 16) | (opc << 12) | (N_ << 5) | D_
                for _ in range(N):
                    run(w)
            # permute (u = 0 only)
            if u == 0:
                for opc in range(8):
                    w = 0x0E000800 | (q << 30) | (size << 22) | (M_ << 16) | (opc << 12) | (N_ << 5) | D_
                    run(w)
        # shift by immediate
        for opc in range(32):
            for _ in range(4):
                immhb = rnd.randrange(8, 128)
                w = 0x0F000400 | (q << 30) | (u << 29) | (immhb << 16) | (opc << 11) | (N_ << 5) | D_
                run(w, fp=opc in (28, 31))
        # modified immediate
        for cmode in range(16):
            for o2 in (0, 1):
                imm8 = rnd.getrandbits(8)
                w = 0x0F000400 | (q << 30) | (u << 29) | ((imm8 >> 5) << 16) | (cmode << 12) | (o2 << 11) | ((imm8 & 31) << 5) | D_
                run(w)
    # copy
    for op in (0, 1):
        for imm4 in range(16):
            for imm5 in [1, 3, 2, 6, 4, 12, 8, 24, 16, 0, rnd.randrange(32), rnd.randrange(32)]:
                w = 0x0E000400 | (q << 30) | (op << 29) | (imm5 << 16) | (imm4 << 11) | (N_ << 5) | D_
                run(w, x1=rnd.getrandbits(64))
    # EXT, TBL/TBX
    for imm4 in range(16):
        run(0x2E000000 | (q << 30) | (M_ << 16) | (imm4 << 11) | (N_ << 5) | D_)
    for ln in range(4):
        for op in (0, 1):
            for _ in range(4):
                run(0x0E000000 | (q << 30) | (M_ << 16) | (ln << 13) | (op << 12) | (N_ << 5) | D_)
# scalar forms
for u in (0, 1):
    for size in range(4):
        for opc in range(32):
            run(0x5E200400 | (u << 29) | (size << 22) | (M_ << 16) | (opc << 11) | (N_ << 5) | D_, fp=opc >= 24)
            run(0x5E200800 | (u << 29) | (size << 22) | (opc << 12) | (N_ << 5) | D_, fp=opc >= 12)
        for opc in (12, 13, 15, 27):
            run(0x5E300800 | (u << 29) | (size << 22) | (opc << 12) | (N_ << 5) | D_, fp=opc != 27)
    for opc in range(32):
        for _ in range(3):
            run(0x5F000400 | (u << 29) | (rnd.randrange(8, 128) << 16) | (opc << 11) | (N_ << 5) | D_, fp=opc in (28, 31))
for imm5 in range(32):
    run(0x5E000400 | (imm5 << 16) | (N_ << 5) | D_)

# vector x indexed element, and the scalar forms
for q in (0, 1):
    for u in (0, 1):
        for size in range(4):
            for opc in range(16):
                for _ in range(3):
                    lmh = rnd.randrange(8)
                    w = (0x0F000000 | (q << 30) | (u << 29) | (size << 22) | ((lmh & 3) << 20) | (M_ << 16)
                         | (opc << 12) | ((lmh >> 2) << 11) | (N_ << 5) | D_)
                    run(w, fp=opc in (1, 5, 9), fpcr=rnd.choice(FPCRS) if opc in (1, 5, 9) else 0)
for u in (0, 1):
    for size in range(4):
        for opc in range(16):
            for _ in range(2):
                lmh = rnd.randrange(8)
                w = (0x5F000000 | (u << 29) | (size << 22) | ((lmh & 3) << 20) | (M_ << 16)
                     | (opc << 12) | ((lmh >> 2) << 11) | (N_ << 5) | D_)
                run(w, fp=opc in (1, 5, 9))

# scalar three different (SQDMULL/SQDMLAL/SQDMLSL) and more scalar saturating shifts by immediate
for size in range(4):
    for opc in range(16):
        for _ in range(2):
            run(0x5E200000 | (size << 22) | (M_ << 16) | (opc << 12) | (N_ << 5) | D_)
for u in (0, 1):
    for opc in (12, 14, 16, 17, 18, 19):
        for _ in range(8):
            run(0x5F000400 | (u << 29) | (rnd.randrange(8, 64) << 16) | (opc << 11) | (N_ << 5) | D_)

with gzip.open(sys.argv[1] if len(sys.argv) > 1 else 'test/cpu/simd-vectors.json.gz', 'wt') as f:
    json.dump(cases, f, separators=(',', ':'))
print(len(cases), 'cases')
