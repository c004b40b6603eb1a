#!/usr/bin/python3
"""FP/SIMD differential vectors with unicorn (Debian python3-unicorn 2.0.1) as the reference.

Each case: one instruction word (registers fixed: d=0, n=1, m=2, a=3; general: Xd=0, Xn=1),
input V1..V3 (128-bit), X1, FPCR, NZCV; recorded outputs: V0 (128-bit), X0, NZCV, FPSR.
Output: test/cpu/fp-vectors.json.gz, replayed by test/cpu/fp-vectors.test.ts.
Run: /usr/bin/python3 test/cpu/fp-vectors-gen.py
"""
import gzip, json, random, struct, sys
from unicorn import Uc, UC_ARCH_ARM64, UC_MODE_ARM
from unicorn import arm64_const as A

BASE = 0x40000000
rnd = random.Random(1)

def d(x): return struct.unpack('<Q', struct.pack('<d', x))[0]
def s(x): return struct.unpack('<I', struct.pack('<f', x))[0]

D_EDGE = [0, 1 << 63, d(1.0), d(-1.0), d(1.5), d(3.0), d(0.1), d(1/3), d(-2.5), d(0.5),
          0x0010000000000000, 0x0000000000000001, 0x0008000000000000, 0x800fffffffffffff,
          0x7fefffffffffffff, 0xffefffffffffffff, 0x7ff0000000000000, 0xfff0000000000000,
          0x7ff8000000000001, 0x7ff0000000000123, 0xfff8000000012345, 0xfff4000000000001,
          d(2.0**52 + 1), d(1e300), d(1e-300), 0x3ff0000000000001, d(4.5), d(-0.5), d(2.0**63), d(-2.0**63),
          d(2.0**64), d(-(2.0**31)), d(2.0**31), d(1e10), d(-1e10), d(2.0**-1000)]
S_EDGE = [0, 1 << 31, s(1.0), s(-1.0), s(1.5), s(3.0), s(0.1), s(1/3), s(-2.5), s(0.5),
          0x00800000, 0x00000001, 0x00400000, 0x807fffff, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000,
          0x7fc00001, 0x7f800123, 0xffc12345, 0xffa00001, s(2.0**23 + 1), s(1e30), s(1e-30), 0x3f800001,
          s(4.5), s(-0.5), s(2.0**31), s(-2.0**31), s(2.0**32), s(-2.0**63), s(2.0**63), s(1e10), s(2.0**-100)]

def rand_d():
    e = rnd.choice([rnd.randrange(0, 2048), rnd.randrange(1000, 1050)])
    return (rnd.getrandbits(1) << 63) | (e << 52) | rnd.getrandbits(52)
def rand_s():
    e = rnd.choice([rnd.randrange(0, 256), rnd.randrange(110, 145)])
    return (rnd.getrandbits(1) << 31) | (e << 23) | rnd.getrandbits(23)

FPCRS = [0, 1 << 25, 1 << 24, 1 << 22, 2 << 22, 3 << 22, (1 << 24) | (1 << 25) | (2 << 22)]
DN, FZ = 1 << 25, 1 << 24

mu = Uc(UC_ARCH_ARM64, UC_MODE_ARM)
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
    mu.emu_start(BASE, BASE + 4)
    out = [mu.reg_read(A.UC_ARM64_REG_Q0), mu.reg_read(A.UC_ARM64_REG_X0),
           mu.reg_read(A.UC_ARM64_REG_NZCV) >> 28, mu.reg_read(A.UC_ARM64_REG_FPSR)]
    cases.append([word, [hex(x) for x in v[1:4]], hex(x1), fpcr, nzcv, hex(out[0]), hex(out[1]), out[2], out[3]])

def vals(dbl, n):
    edge = D_EDGE if dbl else S_EDGE
    return edge + [rand_d() if dbl else rand_s() for _ in range(n)]

def pairs(dbl, nrand, npairs):
    xs = vals(dbl, nrand)
    ps = [(a, b) for a in xs[:22] for b in xs[:22]]
    rnd.shuffle(ps)
    ps = ps[:npairs]
    for _ in range(npairs // 2):
        ps.append((rnd.choice(xs), rnd.choice(xs)))
    return ps

# FP 2-source: FMUL FDIV FADD FSUB FMAX FMIN FMAXNM FMINNM FNMUL
for t in (0, 1):
    for opc in range(9):
        word = 0x1E200800 | (t << 22) | (2 << 16) | (opc << 12) | (1 << 5)
        fps = FPCRS if opc < 4 or opc == 8 else [0, DN | FZ]
        for (a, b) in pairs(t == 1, 30, 160 if opc < 4 else 80):
            for f in fps:
                run(word, [0, a, b], fpcr=f)
# FP 1-source: FMOV FABS FNEG FSQRT FRINT[NPMZAXI] FCVT
for t in (0, 1):
    for opc in [0, 1, 2, 3, 8, 9, 10, 11, 12, 14, 15, 4 + (1 - t), 7]:
        word = 0x1E204000 | (t << 22) | (opc << 15) | (1 << 5)
        for a in vals(t == 1, 60):
            for f in FPCRS:
                run(word, [0, a], fpcr=f)
# FCVT from half
for dst in (0, 1):
    word = 0x1E204000 | (3 << 22) | ((4 + dst) << 15) | (1 << 5)
    for h in [0, 0x8000, 0x3c00, 0x0001, 0x03ff, 0x7bff, 0x7c00, 0xfc00, 0x7e01, 0x7c01, 0xfd55] + [rnd.getrandbits(16) for _ in range(30)]:
        for f in [0, DN]:
            run(word, [0, h], fpcr=f)
# FP 3-source: FMADD FMSUB FNMADD FNMSUB
for t in (0, 1):
    for o1 in (0, 1):
        for o0 in (0, 1):
            word = 0x1F000000 | (t << 22) | (o1 << 21) | (2 << 16) | (o0 << 15) | (3 << 10) | (1 << 5)
            xs = vals(t == 1, 20)
            for _ in range(250):
                a, b, c = rnd.choice(xs), rnd.choice(xs), rnd.choice(xs)
                run(word, [0, a, b, c], fpcr=rnd.choice(FPCRS))
            # products that nearly cancel the addend: the fused result differs from mul+add
            for _ in range(150):
                if t:
                    a = d(rnd.uniform(1, 2)); b = d(rnd.uniform(1, 2))
                    import decimal
                    p = struct.unpack('<d', struct.pack('<Q', a))[0] * struct.unpack('<d', struct.pack('<Q', b))[0]
                    c = d(-p)
                else:
                    a = s(rnd.uniform(1, 2)); b = s(rnd.uniform(1, 2))
                    p = struct.unpack('<f', struct.pack('<I', a))[0] * struct.unpack('<f', struct.pack('<I', b))[0]
                    c = s(-p)
                run(word, [0, a, b, c], fpcr=rnd.choice(FPCRS))
# FCMP/FCMPE (+ zero)
for t in (0, 1):
    for op2 in (0, 8, 16, 24):
        word = 0x1E202000 | (t << 22) | (0 if op2 & 8 else 2 << 16) | (1 << 5) | op2
        for (a, b) in pairs(t == 1, 10, 120):
            run(word, [0, a, b], fpcr=rnd.choice([0, FZ]))
# FCCMP/FCCMPE
for t in (0, 1):
    for op in (0, 1):
        for _ in range(60):
            cond = rnd.randrange(16)
            nz = rnd.randrange(16)
            word = 0x1E200400 | (t << 22) | (2 << 16) | (cond << 12) | (1 << 5) | (op << 4) | nz
            xs = vals(t == 1, 5)
            run(word, [0, rnd.choice(xs), rnd.choice(xs)], nzcv=rnd.randrange(16))
# FCVT* to integer: rmode/opcode combinations, W and X
for sf in (0, 1):
    for t in (0, 1):
        for (rm, opc) in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1), (3, 0), (3, 1), (0, 4), (0, 5)]:
            word = (sf << 31) | 0x1E200000 | (t << 22) | (rm << 19) | (opc << 16) | (1 << 5)
            for a in vals(t == 1, 40):
                run(word, [0, a], fpcr=rnd.choice([0, FZ, 3 << 22]))
# FCVTZS/FCVTZU fixed point
for sf in (0, 1):
    for t in (0, 1):
        for opc in (0, 1):
            for fb in (1, 5, 31, 32):
                if sf == 0 and fb > 32: continue
                word = (sf << 31) | 0x1E000000 | (t << 22) | (3 << 19) | (opc << 16) | ((64 - fb) << 10) | (1 << 5)
                for a in vals(t == 1, 10):
                    run(word, [0, a])
# SCVTF/UCVTF integer and fixed point
XS = [0, 1, 0xffffffffffffffff, 0x7fffffffffffffff, 0x8000000000000000, 0x80000000, 0x7fffffff, 0xffffffff,
      0x0020000000000001, 0x0020000000000003, 0x00ffffff, 0x01000001, 0x12345678, 0xfffffffffffffffe]
for sf in (0, 1):
    for t in (0, 1):
        for opc in (2, 3):
            word = (sf << 31) | 0x1E200000 | (t << 22) | (opc << 16) | (1 << 5)
            for x in XS + [rnd.getrandbits(64) for _ in range(20)]:
                for f in [0, 1 << 22, 2 << 22, 3 << 22]:
                    run(word, [0], x1=x, fpcr=f)
            for fb in (1, 16, 32):
                wordf = (sf << 31) | 0x1E000000 | (t << 22) | (opc << 16) | ((64 - fb) << 10) | (1 << 5)
                for x in XS[:8]:
                    run(wordf, [0], x1=x)

# FPCR.AHP: alternative half precision (no infinities/NaNs; saturation with IOC)
AHP = 1 << 26
for t in (0, 1):
    word = 0x1E204000 | (t << 22) | ((4 + 3) << 15) | (1 << 5)  # FCVT Hd, Sn/Dn
    for a in vals(t == 1, 20) + ([s(65536.0), s(131008.0), s(131072.0), s(70000.0)] if t == 0 else [d(131008.0), d(131071.0), d(2.0**-25)]):
        for f in [AHP, AHP | DN, AHP | (3 << 22)]:
            run(word, [0, a], fpcr=f)
for dst in (0, 1):
    word = 0x1E204000 | (3 << 22) | ((4 + dst) << 15) | (1 << 5)  # FCVT Sd/Dd, Hn
    for h in [0x7c00, 0xfc00, 0x7e01, 0x7fff, 0x0001, 0x3c00] + [rnd.getrandbits(16) for _ in range(10)]:
        run(word, [0, h], fpcr=AHP)

# FCVT Sd, Dn around the single-precision underflow threshold (tininess before rounding)
for k in range(-3, 4):
    for e in (-126, -127, -149, -150):
        for f in [0, FZ, 1 << 22, 2 << 22, 3 << 22]:
            x = 2.0 ** e * (1 + k * 2.0 ** -30)
            run(0x1E624020 | 0, [0, d(x)], fpcr=f)
            run(0x1E624020 | 0, [0, d(-x)], fpcr=f)

# FCVT Hd, Sn/Dn over the binary16 range: random values, ties and near-ties, the overflow edge
for t in (0, 1):
    word = 0x1E204000 | (t << 22) | (7 << 15) | (1 << 5)
    for _ in range(300):
        e = rnd.randrange(-16, 17)
        m = 1 + rnd.randrange(1 << 10) / 1024 + rnd.choice([0, 2 ** -11, -(2 ** -11), 2 ** -12, 2 ** -20])
        x = rnd.choice([1, -1]) * m * 2.0 ** e
        run(word, [0, d(x) if t else s(x)], fpcr=rnd.choice([0, 0, DN, 1 << 22, 3 << 22]))
    for x in [65504.0, 65519.0, 65519.99, 65520.0, 2.0 ** -14, 2.0 ** -14 * (1 - 2 ** -12), 2.0 ** -24, 2.0 ** -25, 1.5 * 2.0 ** -25]:
        for f in [0, 1 << 22, 2 << 22, 3 << 22]:
            run(word, [0, d(x) if t else s(x)], fpcr=f)
            run(word, [0, d(-x) if t else s(-x)], fpcr=f)

with gzip.open(sys.argv[1] if len(sys.argv) > 1 else 'test/cpu/fp-vectors.json.gz', 'wt') as f:
    json.dump(cases, f, separators=(',', ':'))
print(len(cases), 'cases')
