#!/usr/bin/python3
"""FP16 (FEAT_FP16) differential vectors with unicorn (Debian python3-unicorn 2.0.1, CPU model
MAX, which implements FEAT_FP16) as the reference.

Same case format as fp-vectors-gen.py: one instruction word (registers fixed: d=0, n=1, m=2, a=3;
general: Xd=0, Xn=1), input V1..V3 (128-bit), X1, FPCR, NZCV; recorded outputs: V0 (128-bit), X0,
NZCV, FPSR; then the input V0 when nonzero (accumulating forms); encodings unicorn refuses are
recorded once with V0 = 'undef'. Output: test/cpu/fp16-vectors.json.gz, replayed by test/cpu/fp16-vectors.test.ts.
Run: /usr/bin/python3 test/cpu/fp16-vectors-gen.py
"""
import gzip, json, random, struct, sys
from unicorn import Uc, UC_ARCH_ARM64, UC_MODE_ARM
from unicorn import arm64_const as A

BASE = 0x40000000
rnd = random.Random(16)

def h(x): return struct.unpack('<H', struct.pack('<e', x))[0]

H_EDGE = [0, 0x8000, h(1.0), h(-1.0), h(1.5), h(3.0), h(0.1), h(1/3), h(-2.5), h(0.5),
          0x0400, 0x0001, 0x0200, 0x83ff, 0x03ff, 0x7bff, 0xfbff, 0x7c00, 0xfc00,
          0x7e01, 0x7c01, 0xfe55, 0xfd01, h(2049.0), h(1000.0), h(2.0**-10), 0x3c01,
          h(4.5), h(-0.5), h(255.5), h(-32768.0), h(65504.0), h(2.5), h(-1.5)]

def rand_h():
    e = rnd.choice([rnd.randrange(0, 32), rnd.randrange(10, 20)])
    return (rnd.getrandbits(1) << 15) | (e << 10) | rnd.getrandbits(10)

DN, FZ, FZ16, AHP = 1 << 25, 1 << 24, 1 << 19, 1 << 26
FPCRS = [0, DN, FZ16, 1 << 22, 2 << 22, 3 << 22, FZ16 | DN | (2 << 22), FZ | AHP]

mu = Uc(UC_ARCH_ARM64, UC_MODE_ARM)
mu.ctl_set_cpu_model(A.UC_CPU_ARM64_MAX)
mu.mem_map(BASE, 0x10000)
cases = []

def run(word, v, x1=0, fpcr=0, nzcv=0):
    mu.mem_write(BASE, struct.pack('<I', word))
    mu.reg_write(A.UC_ARM64_REG_CPACR_EL1, 3 << 20)
    for k in range(4):
        mu.reg_write(A.UC_ARM64_REG_Q0 + k, v[k] if k < len(v) else 0)
    mu.reg_write(A.UC_ARM64_REG_X0, 0)
    mu.reg_write(A.UC_ARM64_REG_X1, x1)
    mu.reg_write(A.UC_ARM64_REG_FPCR, fpcr)
    mu.reg_write(A.UC_ARM64_REG_FPSR, 0)
    mu.reg_write(A.UC_ARM64_REG_NZCV, nzcv << 28)
    try:
        mu.emu_start(BASE, BASE + 4)
    except Exception:
        # unallocated in FEAT_FP16: recorded as 'undef', the replay expects UNDEFINED
        if not any(c[0] == word and c[5] == 'undef' for c in cases[-3:]):
            cases.append([word, [], '0x0', 0, 0, 'undef', '0x0', 0, 0])
        return
    out = [mu.reg_read(A.UC_ARM64_REG_Q0), mu.reg_read(A.UC_ARM64_REG_X0),
           mu.reg_read(A.UC_ARM64_REG_NZCV) >> 28, mu.reg_read(A.UC_ARM64_REG_FPSR)]
    cases.append([word, [hex(x) for x in v[1:4]], hex(x1), fpcr, nzcv, hex(out[0]), hex(out[1]), out[2], out[3]]
                 + ([hex(v[0])] if v[0] else []))

def vals(n):
    return H_EDGE + [rand_h() for _ in range(n)]

def pairs(nrand, npairs):
    xs = vals(nrand)
    ps = [(a, b) for a in xs[:24] for b in xs[:24]]
    rnd.shuffle(ps)
    ps = ps[:npairs]
    for _ in range(npairs // 2):
        ps.append((rnd.choice(xs), rnd.choice(xs)))
    return ps

def scalar():
    # 2-source: FMUL FDIV FADD FSUB FMAX FMIN FMAXNM FMINNM FNMUL (other bits of V1/V2 set: ignored)
    for opc in range(9):
        word = 0x1EE00800 | (2 << 16) | (opc << 12) | (1 << 5)
        fps = FPCRS if opc < 4 or opc == 8 else [0, DN | FZ16]
        for (a, b) in pairs(30, 140 if opc < 4 else 60):
            for f in fps:
                run(word, [0, a | (0xdead << 16), b], fpcr=f)
    # 1-source: FMOV FABS FNEG FSQRT FRINT[NPMZAXI]
    for opc in [0, 1, 2, 3, 8, 9, 10, 11, 12, 14, 15]:
        word = 0x1EE04000 | (opc << 15) | (1 << 5)
        for a in vals(50):
            for f in FPCRS:
                run(word, [0, a], fpcr=f)
    # 3-source
    for o1 in (0, 1):
        for o0 in (0, 1):
            word = 0x1FC00000 | (o1 << 21) | (2 << 16) | (o0 << 15) | (3 << 10) | (1 << 5)
            xs = vals(30)
            for _ in range(300):
                run(word, [0, rnd.choice(xs), rnd.choice(xs), rnd.choice(xs)], fpcr=rnd.choice(FPCRS))
            for _ in range(200):  # near-cancellation: the fused result differs from mul+add
                a = h(rnd.uniform(1, 2) * 2.0 ** rnd.randrange(-8, 8)); b = h(rnd.uniform(1, 2))
                p = struct.unpack('<e', struct.pack('<H', a))[0] * struct.unpack('<e', struct.pack('<H', b))[0]
                run(word, [0, a, b, h(-p) ^ rnd.choice([0, 0, 1, 2])], fpcr=rnd.choice(FPCRS))
    # FCMP/FCMPE (+ zero)
    for op2 in (0, 8, 16, 24):
        word = 0x1EE02000 | (0 if op2 & 8 else 2 << 16) | (1 << 5) | op2
        for (a, b) in pairs(10, 150):
            run(word, [0, a, b], fpcr=rnd.choice([0, FZ16]))
    # FCCMP/FCCMPE, FCSEL
    xs = vals(10)
    for op in (0, 1):
        for _ in range(80):
            word = 0x1EE00400 | (2 << 16) | (rnd.randrange(16) << 12) | (1 << 5) | (op << 4) | rnd.randrange(16)
            run(word, [0, rnd.choice(xs), rnd.choice(xs)], nzcv=rnd.randrange(16), fpcr=rnd.choice([0, FZ16]))
    for cond in range(16):
        run(0x1EE00C00 | (2 << 16) | (cond << 12) | (1 << 5), [0, 0xffff1234, 0x5678], nzcv=rnd.randrange(16))
    # FMOV (immediate)
    for imm8 in range(256):
        run(0x1EE01000 | (imm8 << 13), [0xffffffffffffffffffffffffffffffff])
    # FMOV general: Wd/Xd <- Hn, Hd <- Wn/Xn
    for sf in (0, 1):
        run((sf << 31) | 0x1EE60000 | (1 << 5), [0, 0xffffffffffff8765])
        run((sf << 31) | 0x1EE70000 | (1 << 5), [0xffffffffffffffffffffffffffffffff], x1=0xfedcba9876543210)
    # FCVT* to integer
    for sf in (0, 1):
        for (rm, opc) in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1), (3, 0), (3, 1), (0, 4), (0, 5)]:
            word = (sf << 31) | 0x1EE00000 | (rm << 19) | (opc << 16) | (1 << 5)
            for a in vals(30):
                run(word, [0, a], fpcr=rnd.choice([0, FZ16, 3 << 22]))
    # FCVTZS/FCVTZU fixed point
    for sf in (0, 1):
        for opc in (0, 1):
            for fb in (1, 5, 20, 32, 50, 64):
                if sf == 0 and fb > 32: continue
                word = (sf << 31) | 0x1EC00000 | (3 << 19) | (opc << 16) | ((64 - fb) << 10) | (1 << 5)
                for a in vals(10):
                    run(word, [0, a], fpcr=rnd.choice([0, FZ16]))
    # SCVTF/UCVTF integer and fixed point
    XS = [0, 1, 0xffffffffffffffff, 0x7fffffffffffffff, 0x8000000000000000, 0x80000000, 0x7fffffff, 0xffffffff,
          65504, 65505, 65519, 65520, 65535, 0xffff0010, 2049, 2051, 4097, 0x1001000000000001, 0x0000000000000fff, 0xfffffffffffff001]
    for sf in (0, 1):
        for opc in (2, 3):
            word = (sf << 31) | 0x1EE00000 | (opc << 16) | (1 << 5)
            for x in XS + [rnd.getrandbits(rnd.choice([12, 16, 32, 64])) for _ in range(30)]:
                for f in [0, 1 << 22, 2 << 22, 3 << 22]:
                    run(word, [0], x1=x, fpcr=f)
            for fb in (1, 16, 24, 32, 40, 64):
                if sf == 0 and fb > 32: continue
                wordf = (sf << 31) | 0x1EC00000 | (opc << 16) | ((64 - fb) << 10) | (1 << 5)
                for x in XS[:12] + [1, 3, 0x7ff, 0xfff]:
                    for f in [0, FZ16, 3 << 22]:
                        run(wordf, [0], x1=x, fpcr=f)

def vec(xs, n=8):
    r = 0
    for k in range(n):
        r |= rnd.choice(xs) << (16 * k)
    return r

SIMD_FPCRS = [0, DN, FZ16, 1 << 22, 2 << 22, 3 << 22, FZ16 | DN | (1 << 22)]

def simd():
    xs = vals(40)
    # three same, vector (Q=0/1) and scalar: every (U, a, opcode)
    # allocated (U, a, opcode) of three same (FP16); unicorn aborts on some unallocated ones
    SAME = [0x00, 0x01, 0x02, 0x03, 0x04, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0e, 0x0f,
            0x10, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x1a, 0x1c, 0x1d, 0x1e]
    SCALAR_SAME = [0x03, 0x04, 0x07, 0x0f, 0x14, 0x15, 0x1a, 0x1c, 0x1d]
    for k in SAME:
        u, a, opc = k >> 4, (k >> 3) & 1, k & 7
        if True:
            for q in (0, 1):
                    word = 0x0E400400 | (q << 30) | (u << 29) | (a << 23) | (2 << 16) | (opc << 11) | (1 << 5)
                    for _ in range(20):
                        run(word, [vec(xs), vec(xs), vec(xs), 0], fpcr=rnd.choice(SIMD_FPCRS))
            if k not in SCALAR_SAME: continue
            word = 0x5E400400 | (u << 29) | (a << 23) | (2 << 16) | (opc << 11) | (1 << 5)
            for _ in range(25):
                run(word, [vec(xs), vec(xs), vec(xs), 0], fpcr=rnd.choice(SIMD_FPCRS))
    # two-register misc, vector and scalar: every (U, a, opcode) of the FP16 group
    MISC = [0x2f, 0x6f, 0x7f, 0x18, 0x38, 0x19, 0x39, 0x58, 0x59, 0x79, 0x1a, 0x5a, 0x3a, 0x7a, 0x1b, 0x5b,
            0x3b, 0x7b, 0x1c, 0x5c, 0x1d, 0x5d, 0x3d, 0x7d, 0x2c, 0x2d, 0x2e, 0x6c, 0x6d]
    SCALAR_MISC = [0x1a, 0x5a, 0x3a, 0x7a, 0x1b, 0x5b, 0x3b, 0x7b, 0x1c, 0x5c, 0x1d, 0x5d, 0x3d, 0x7d, 0x3f,
                   0x2c, 0x2d, 0x2e, 0x6c, 0x6d]
    for k in sorted(set(MISC + SCALAR_MISC)):
        u, a, opc = k >> 6, (k >> 5) & 1, k & 31
        if True:
            for q in (0, 1) if k in MISC else ():
                if True:
                    word = 0x0E780800 | (q << 30) | (u << 29) | (a << 23) | (opc << 12) | (1 << 5)
                    for _ in range(20):
                        run(word, [vec(xs), vec(xs)], fpcr=rnd.choice(SIMD_FPCRS))
            if k not in SCALAR_MISC: continue
            word = 0x5E780800 | (u << 29) | (a << 23) | (opc << 12) | (1 << 5)
            for _ in range(25):
                run(word, [vec(xs), vec(xs)], fpcr=rnd.choice(SIMD_FPCRS))
    # conversions from integer lanes: plain integers
    ints = [0, 1, 0xffff, 0x8000, 0x7fff, 2049, 2051, 0xf7ff, 65504, 65520, 4097, 0x0fff]
    for u in (0, 1):
        word = 0x0E780800 | (1 << 30) | (u << 29) | (0x1d << 12) | (1 << 5)
        for _ in range(40):
            run(word, [0, vec(ints + [rnd.getrandbits(16)])], fpcr=rnd.choice(SIMD_FPCRS))
    # reciprocal estimates over every exponent (FRECPE, FRSQRTE, FRECPX scalar)
    for word in (0x0EF9D800 | (1 << 30) | (1 << 5), 0x2EF9D800 | (1 << 30) | (1 << 5), 0x5EF9F800 | (1 << 5)):
        for e in range(32):
            for _ in range(3):
                lanes = [(rnd.getrandbits(1) << 15) | (e << 10) | rnd.getrandbits(10) for _ in range(8)]
                v = sum(x << (16 * k) for k, x in enumerate(lanes))
                run(word, [0, v], fpcr=rnd.choice(SIMD_FPCRS))
    # scalar pairwise
    for a in (0, 1):
        for opc in (0b01100, 0b01101, 0b01111):
            word = 0x5E300800 | (a << 23) | (opc << 12) | (1 << 5)
            for _ in range(40):
                run(word, [0, vec(xs)], fpcr=rnd.choice(SIMD_FPCRS))
    # across lanes
    for q in (0, 1):
        for a in (0, 1):
            for opc in (0b01100, 0b01111, 0b01101):
                word = 0x0E300800 | (q << 30) | (a << 23) | (opc << 12) | (1 << 5)
                for _ in range(40):
                    run(word, [0, vec(xs)], fpcr=rnd.choice(SIMD_FPCRS))
    # by element, vector and scalar (Rm = V2; V18 = M set is out of the test's registers)
    for u in (0, 1):
        for opc in (0b0001, 0b0101, 0b1001):
            for q in (0, 1):
                for _ in range(40):
                    idx = rnd.randrange(8)
                    word = 0x0F000000 | (q << 30) | (u << 29) | ((idx & 2) << 20) | ((idx & 1) << 20) | (2 << 16) | (opc << 12) | ((idx >> 2) << 11) | (1 << 5)
                    run(word, [vec(xs), vec(xs), vec(xs), 0], fpcr=rnd.choice(SIMD_FPCRS))
            for _ in range(40):
                idx = rnd.randrange(8)
                word = 0x5F000000 | (u << 29) | ((idx & 2) << 20) | ((idx & 1) << 20) | (2 << 16) | (opc << 12) | ((idx >> 2) << 11) | (1 << 5)
                run(word, [vec(xs), vec(xs), vec(xs), 0], fpcr=rnd.choice(SIMD_FPCRS))
    # fixed-point conversions (shift by immediate, immh = 001x), vector and scalar
    for u in (0, 1):
        for opc in (0b11100, 0b11111):
            for fb in (1, 4, 8, 15, 16):
                for base in (0x0F000000 | (1 << 30), 0x0F000000, 0x5F000000):
                    word = base | (u << 29) | ((32 - fb) << 16) | (opc << 11) | 0x400 | (1 << 5)
                    src = xs if opc == 0b11111 else ints + [rnd.getrandbits(16) for _ in range(4)]
                    for _ in range(8):
                        run(word, [0, vec(src)], fpcr=rnd.choice(SIMD_FPCRS))
                        if base == 0x5F000000 and opc == 0b11111 and u == 0:
                            # unicorn sign-extends the scalar FCVTZS Hd, Hn, #fbits result into
                            # bits 31:16; the ARM ARM writes V[d] with esize = 16 (the rest zero),
                            # as unicorn itself does for FCVTZS Hd, Hn (two-register misc)
                            cases[-1][5] = hex(int(cases[-1][5], 16) & 0xffff)
    # FMOV (vector, immediate) half
    for imm8 in range(0, 256, 7):
        for q in (0, 1):
            run(0x0F00FC00 | (q << 30) | ((imm8 >> 5) << 16) | ((imm8 & 31) << 5), [0xffffffffffffffffffffffffffffffff])

scalar()
simd()

with gzip.open(sys.argv[1] if len(sys.argv) > 1 else 'test/cpu/fp16-vectors.json.gz', 'wt') as f:
    json.dump(cases, f, separators=(',', ':'))
print(len(cases), 'cases')
