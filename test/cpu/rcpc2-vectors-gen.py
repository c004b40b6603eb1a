#!/usr/bin/python3
"""FEAT_LRCPC2 differential vectors with unicorn (python3-unicorn 2.0.1, CPU model MAX:
ID_AA64ISAR1_EL1.LRCPC = 2) as the reference: LDAPUR/LDAPURB/LDAPURH, LDAPURSB/SH/SW (W and X
targets), STLUR/STLURB/STLURH, every size:opc (the unallocated ones recorded as 'undef'), random
imm9, Rn = X1 or SP, Rt = X0/X2 or XZR. Addresses lie inside one 16-byte aligned quantity, aligned
or not: with FEAT_LSE2 (a64hv --cpu max) those never fault, and unicorn (no LSE2) checks no
alignment, so both must give the same result. Crossing accesses are not recorded (they fault
on a64hv and not on unicorn: test/cpu/lse2.test.ts checks them).
Case: [word, base (Rn), x0 in, x2 in, x0 out | 'undef', the 16-byte quantity after (hex, LE)].
The buffer's initial bytes are k*37+11 (k = offset in it), the same in the replay.
Output: test/cpu/rcpc2-vectors.json.gz (test/cpu/rcpc2-vectors.test.ts).
Run: /usr/bin/python3 test/cpu/rcpc2-vectors-gen.py
"""
import gzip, json, random, struct
from unicorn import Uc, UC_ARCH_ARM64, UC_MODE_ARM
from unicorn import arm64_const as A

CODE = 0x40000000
BUF = 0x40100000
BUFSIZE = 1024
INIT = bytes((k * 37 + 11) & 0xff for k in range(BUFSIZE))
rnd = random.Random(15)
mu = Uc(UC_ARCH_ARM64, UC_MODE_ARM)
mu.ctl_set_cpu_model(A.UC_CPU_ARM64_MAX)
mu.mem_map(CODE, 0x1000)
mu.mem_map(BUF, 0x1000)
cases = []
SIZES = [1, 2, 4, 8]

def word(size_f, opc, imm9, rn, rt):
    return (size_f << 30) | (0b011001 << 24) | (opc << 22) | ((imm9 & 0x1ff) << 12) | (rn << 5) | rt

def case(size_f, opc):
    size = SIZES[size_f]
    block = BUF + 64 + 16 * rnd.randrange((BUFSIZE - 128) // 16)
    ea = block + rnd.randrange(16 - size + 1)
    rn = 31 if rnd.random() < 0.15 else 1
    if rn == 31:  # SP: a 16-byte aligned base
        imm = rnd.choice([d for d in range(-256, 256) if (ea - d) % 16 == 0])
    else:
        imm = rnd.randrange(-256, 256)
    base = ea - imm
    rt = 31 if rnd.random() < 0.1 else (2 if opc == 0 else 0)
    w = word(size_f, opc, imm, rn, rt)
    x0, x2 = rnd.getrandbits(64), rnd.getrandbits(64)
    mu.mem_write(CODE, struct.pack('<I', w))
    mu.mem_write(BUF, INIT)
    mu.reg_write(A.UC_ARM64_REG_X0, x0)
    mu.reg_write(A.UC_ARM64_REG_X2, x2)
    mu.reg_write(A.UC_ARM64_REG_X1 if rn == 1 else A.UC_ARM64_REG_SP, base)
    try:
        mu.emu_start(CODE, CODE + 4)
    except Exception:
        cases.append([w, hex(base), hex(x0), hex(x2), 'undef', ''])
        return
    q = ea & ~15
    cases.append([w, hex(base), hex(x0), hex(x2), hex(mu.reg_read(A.UC_ARM64_REG_X0)), bytes(mu.mem_read(q, 16)).hex()])

for size_f in range(4):
    for opc in range(4):
        for _ in range(150):
            case(size_f, opc)

with gzip.open('test/cpu/rcpc2-vectors.json.gz', 'wt') as f:
    json.dump(cases, f)
print(len(cases), 'cases,', sum(1 for c in cases if c[4] == 'undef'), 'undef')
