#!/usr/bin/python3
"""SIMD&FP structure loads/stores against unicorn: LD1-LD4/ST1-ST4 (multiple and single
structure, post-index by immediate and register), LD1R-LD4R, LDR/STR/LDP/STP of B/H/S/D/Q.
Each case: word, a seed (V0..V4, V30, V31 and 256 bytes of memory are simple functions of it, see
vinit/minit), X1 (base), X2 (index); out: the registers (an index when unchanged), X1 (writeback)
and the bytes of memory that changed. Output: test/cpu/simd-mem-vectors.json.gz.
Run: /usr/bin/python3 test/cpu/simd-mem-vectors-gen.py
"""
import gzip, json, random, struct, sys
from unicorn import Uc, UcError, UC_ARCH_ARM64, UC_MODE_ARM
from unicorn import arm64_const as A

BASE = 0x40000000
BUF = 0x40001000
rnd = random.Random(3)
mu = Uc(UC_ARCH_ARM64, UC_MODE_ARM)
mu.mem_map(BASE, 0x10000)
cases = []
VREGS = [0, 1, 2, 3, 4, 30, 31]

def vinit(seed, k):
    return int.from_bytes(bytes(((seed * 7 + k * 31 + j * 13) & 255) for j in range(16)), 'little')
def minit(seed):
    return bytes(((seed * 11 + j * 29 + 5) & 255) for j in range(256))

def run(word):
    seed = rnd.randrange(1 << 16)
    v = [vinit(seed, k) for k in range(len(VREGS))]
    mem = minit(seed)
    x1 = BUF + 64 + 16 * rnd.randrange(0, 4)
    x2 = rnd.choice([0, 16, 32, 48, 64, (1 << 64) - 16])
    mu.mem_write(BASE, struct.pack('<I', word))
    mu.mem_write(BUF, mem)
    mu.reg_write(A.UC_ARM64_REG_CPACR_EL1, 3 << 20)
    for r, x in zip(VREGS, v):
        mu.reg_write(A.UC_ARM64_REG_Q0 + r, x)
    mu.reg_write(A.UC_ARM64_REG_X1, x1)
    mu.reg_write(A.UC_ARM64_REG_X2, x2)
    undef = 0
    try:
        mu.emu_start(BASE, BASE + 4)
    except UcError:
        undef = 1
    vout = [mu.reg_read(A.UC_ARM64_REG_Q0 + r) for r in VREGS]
    after = bytes(mu.mem_read(BUF, 256))
    diff = [[k, after[k]] for k in range(256) if after[k] != mem[k]]
    # registers as the index of an unchanged input, or the new value
    vo = [k if vout[k] == v[k] else hex(vout[k]) for k in range(len(VREGS))]
    cases.append([word, seed, hex(x1), hex(x2), vo, hex(mu.reg_read(A.UC_ARM64_REG_X1)), diff, undef])

for q in (0, 1):
    for L in (0, 1):
        for opc in range(16):
            for size in range(4):
                for t in (0, 30):
                    run(0x0C000000 | (q << 30) | (L << 22) | (opc << 12) | (size << 10) | (1 << 5) | t)
                    for rm in (2, 31):
                        run(0x0C800000 | (q << 30) | (L << 22) | (rm << 16) | (opc << 12) | (size << 10) | (1 << 5) | t)
        for R in (0, 1):
            for opc in range(8):
                for S in (0, 1):
                    for size in range(4):
                        t = rnd.choice([0, 30])
                        run(0x0D000000 | (q << 30) | (L << 22) | (R << 21) | (opc << 13) | (S << 12) | (size << 10) | (1 << 5) | t)
                        rm = rnd.choice([2, 31])
                        run(0x0D800000 | (q << 30) | (L << 22) | (R << 21) | (rm << 16) | (opc << 13) | (S << 12) | (size << 10) | (1 << 5) | t)
# LDR/STR (unsigned offset, pre/post, register), LDP/STP
for size in range(4):
    for opc in range(4):
        run((size << 30) | 0x3D000000 | (opc << 22) | (rnd.randrange(4) << 10) | (1 << 5))
        for mode in (1, 3):
            # element-aligned offsets: with the MMU off, data is Device memory and unaligned accesses fault
            scale = 4 if opc >= 2 and size == 0 else size
            run((size << 30) | 0x3C000000 | (opc << 22) | (((rnd.randrange(-2, 3) << scale) & 0x1ff) << 12) | (mode << 10) | (1 << 5))
        for opt in (2, 3, 6, 7):
            for S in (0, 1):
                run((size << 30) | 0x3C200800 | (opc << 22) | (2 << 16) | (opt << 13) | (S << 12) | (1 << 5))
for opc in range(3):
    for mode in range(4):
        for L in (0, 1):
            run((opc << 30) | 0x2C000000 | (mode << 23) | (L << 22) | ((rnd.randrange(-2, 3) & 0x7f) << 15) | (3 << 10) | (1 << 5))

with gzip.open(sys.argv[1] if len(sys.argv) > 1 else 'test/cpu/simd-mem-vectors.json.gz', 'wt') as f:
    json.dump(cases, f, separators=(',', ':'))
print(len(cases), 'cases')
