#!/usr/bin/python3
"""FEAT_PAuth differential vectors with unicorn (Debian python3-unicorn 2.0.1, CPU model MAX, which
implements PAuth with QARMA5: ID_AA64ISAR1_EL1.APA = GPA = 1) as the reference.

Each case is a short sequence at EL1 with the MMU off: random keys (set through unicorn's
UC_ARM64_REG_CP_REG), SCTLR_EL1 enable bits (EnIA/EnIB/EnDA/EnDB), TCR_EL1 (T0SZ/T1SZ, TBI0/1,
TBID0/1), X0-X3, X16, X17, X30, SP; recorded: X0, X1, X17, X30 and the PC after the sequence, or
'exc' when unicorn took an exception. Unicorn needs SCR_EL3.NS = 1 with SCR_EL3.API/APK and
HCR_EL2.API/APK/RW set, or it traps every PAuth instruction (its EL2 is otherwise disabled and
reads as HCR_EL2 = 0, which traps).
Output: test/cpu/pauth-vectors.json.gz, replayed by test/cpu/pauth-vectors.test.ts.
Run: /usr/bin/python3 test/cpu/pauth-vectors-gen.py
"""
import gzip, json, random, struct
from unicorn import Uc, UcError, UC_ARCH_ARM64, UC_MODE_ARM, UC_HOOK_INTR
from unicorn import arm64_const as A

BASE = 0x40000000
DATA = 0x40008000
rnd = random.Random(83)
M64 = (1 << 64) - 1

# One fresh unicorn per case: unicorn 2.0.1 keeps translated code and the flags derived from
# SCTLR_EL1 (QEMU's cached "pauth active") across runs, which made later cases disagree with
# themselves run alone.
mu = None
taken = []
def on_intr(uc, intno, ud):
    taken.append(intno)
    uc.emu_stop()

def cp(op1, crn, crm, op2, v=None):
    if v is None:
        return mu.reg_read(A.UC_ARM64_REG_CP_REG, (crn, crm, 3, op1, op2))
    mu.reg_write(A.UC_ARM64_REG_CP_REG, (crn, crm, 3, op1, op2, v))

def fresh():
    global mu
    mu = Uc(UC_ARCH_ARM64, UC_MODE_ARM)
    mu.ctl_set_cpu_model(A.UC_CPU_ARM64_MAX)
    mu.mem_map(BASE, 0x10000)
    mu.mem_write(DATA, bytes(((k * 7 + 3) & 0xff) for k in range(0x1000)))
    # An interrupt hook: without one unicorn reports a spurious UC_ERR_EXCEPTION when `count`
    # stops a run inside a translation block; with it, real exceptions are recorded (EXCP_*).
    mu.hook_add(UC_HOOK_INTR, on_intr)
    mu.mem_write(BASE + 0x100, struct.pack('<I', 0xd503201f) * 0xc0)  # NOPs: where the branches go
    cp(6, 1, 1, 0, cp(6, 1, 1, 0) | 1 | (1 << 10) | (3 << 16))  # SCR_EL3: NS, RW, APK, API
    cp(4, 1, 1, 0, (1 << 31) | (3 << 40))  # HCR_EL2: RW, APK, API

SCTLR_BASE = 0x30d00800  # a64hv's SCTLR_EL1 reset value (M = 0)
EN = [1 << 31, 1 << 30, 1 << 27, 1 << 13]  # EnIA EnIB EnDA EnDB
REGS = [0, 1, 2, 3, 5, 6, 16, 17, 30]
cases = []

def run(words, x, keys, sctlr, tcr, sp):
    fresh()
    # SCTLR_EL1 and TCR_EL1 are written by MSR X5/X6 at the start of the sequence: unicorn derives
    # "pointer authentication active" and TBI from cached flags that only an MSR rebuilds.
    words = [0xd5181005, 0xd5182046] + words
    x = {**x, 5: sctlr, 6: tcr}
    code = b''.join(struct.pack('<I', w) for w in words)
    mu.mem_write(BASE, code)
    for k in range(5):  # APIA APIB APDA APDB APGA: CRm = 1, 1, 2, 2, 3; op2 = 2*(key&1) + Hi
        crm = 1 + k // 2
        cp(0, 2, crm, 2 * (k % 2), keys[2 * k])
        cp(0, 2, crm, 2 * (k % 2) + 1, keys[2 * k + 1])
    for r in x:
        mu.reg_write(A.UC_ARM64_REG_X0 + r if r < 29 else A.UC_ARM64_REG_X30, x.get(r, 0))
    mu.reg_write(A.UC_ARM64_REG_SP, sp)
    taken.clear()
    try:
        mu.emu_start(BASE, BASE + 0xfffc, count=len(words))
        if taken:
            raise UcError(21)
        out = [hex(mu.reg_read(A.UC_ARM64_REG_X0)), hex(mu.reg_read(A.UC_ARM64_REG_X1)),
               hex(mu.reg_read(A.UC_ARM64_REG_X17)), hex(mu.reg_read(A.UC_ARM64_REG_X30)),
               hex(mu.reg_read(A.UC_ARM64_REG_PC))]
    except UcError:
        out = 'exc'
    cases.append([words, [hex(k) for k in keys], hex(sctlr), hex(tcr), {str(r): hex(v) for r, v in x.items()}, hex(sp), out])

def tcr_random():
    t0 = rnd.choice([16, 20, 25, 25, 32, 39, 39, 45, 8])
    t1 = rnd.choice([16, 20, 25, 25, 32, 39, 39, 45, 8])
    tbi = rnd.getrandbits(4) if rnd.random() < 0.6 else 0
    # TBI0[37] TBI1[38] TBID0[51] TBID1[52]
    return t0 | (t1 << 16) | ((tbi & 1) << 37) | (((tbi >> 1) & 1) << 38) | (((tbi >> 2) & 1) << 51) | (((tbi >> 3) & 1) << 52)

def sctlr_random():
    en = sum(EN) if rnd.random() < 0.8 else sum(e for e in EN if rnd.random() < 0.5)
    return SCTLR_BASE | en

def ptr(tcr):
    kind = rnd.randrange(6)
    t0 = max(16, min(39, tcr & 63)); t1 = max(16, min(39, (tcr >> 16) & 63))
    if kind == 0:
        return rnd.getrandbits(64 - t0) & ~7
    if kind == 1:
        return (M64 ^ ((1 << (64 - t1)) - 1)) | (rnd.getrandbits(64 - t1) & ~7)
    if kind == 2:  # a tag in the top byte
        return (rnd.getrandbits(8) << 56) | (rnd.getrandbits(64 - t0) & ~7)
    if kind == 3:
        return (rnd.getrandbits(8) << 56) | (1 << 55) | (((1 << 55) - 1) ^ ((1 << (64 - t1)) - 1)) | rnd.getrandbits(64 - t1)
    if kind == 4:  # bad extension bits
        return rnd.getrandbits(64 - t0) | (1 << rnd.randrange(64 - t0, 64))
    return rnd.getrandbits(64)

def keys_random():
    return [rnd.getrandbits(64) for _ in range(10)]

def regs(tcr):
    return {0: ptr(tcr), 1: rnd.choice([0, rnd.getrandbits(64), ptr(tcr)]), 2: rnd.getrandbits(64), 3: 0,
            16: rnd.getrandbits(64), 17: ptr(tcr), 30: ptr(tcr)}

DP1 = 0xdac10000
def dp1(opc, n, d):
    return DP1 | (opc << 10) | (n << 5) | d
def hint(h):
    return 0xd503201f | (h << 5)
EOR_X0_X3 = 0xca030000
EOR_X17_X3 = 0xca030231
EOR_X30_X3 = 0xca0303de

def pac_inputs(words):
    """The registers whose values the sequence's PAC-adding instructions take as pointers."""
    regs_ = set()
    for w in words:
        if (w & 0xffff0000) == DP1 and ((w >> 10) & 0x3f) in (0, 1, 2, 3, 8, 9, 10, 11):
            regs_.add(w & 31)
        if (w & 0xfffff01f) == 0xd503201f and ((w >> 5) & 0x7f) in (8, 10):
            regs_.add(17)
        if (w & 0xfffff01f) == 0xd503201f and ((w >> 5) & 0x7f) in (24, 25, 26, 27):
            regs_.add(30)
    return regs_

def unicorn_bug(p, tcr):
    """Pointers for which unicorn's AddPAC (QEMU 5.0's) departs from the ARM ARM, so not recorded:
    1. bad extension bits (ptr<top:bottom> neither all 0 nor all 1): the ARM ARM inverts PAC<top_bit-1>
       (bit 62, or 54 with TBI); unicorn inverts bit 63 (55 with TBI, where it is then overwritten);
    2. ptr<55> != ptr<63> without TBI: the ARM ARM takes the range (and the PAC size) from ptr<63>,
       unicorn from ptr<55>.
    Both are covered by unit tests in pauth.test.ts instead."""
    b55 = (p >> 55) & 1
    tsz = max(16, min(39, (tcr >> 16) & 63 if b55 else tcr & 63))
    bottom = 64 - tsz
    field55 = (p >> bottom) & ((1 << (56 - bottom)) - 1)
    if field55 not in (0, (1 << (56 - bottom)) - 1):
        return True
    return (p >> 56) != (0xff if b55 else 0)  # a tag or a mixed top byte: recorded only via other tests

def one(words, n=1, corrupt_reg=None, x_over=None, corrupt_top=63, sp0=False, enabled=False):
    """n cases of `words`. corrupt_top: the highest bit the corruption may flip (55 for branches: a
    tagged branch target is an Armv8.0 TBI matter, not PAuth's); sp0: SP = 0 (see LDRAA below);
    enabled: some key enabled (unicorn makes XPAC* a NOP when none is, the ARM ARM does not)."""
    for _ in range(n):
        while True:
            tcr = tcr_random()
            x = regs(tcr)
            if x_over:
                x.update(x_over(tcr))
            fixed = set(x_over(tcr)) if x_over else set()
            if not any(unicorn_bug(x[r], tcr) for r in pac_inputs(words) & fixed):
                break
        for r in pac_inputs(words) - fixed:
            while unicorn_bug(x[r], tcr):
                x[r] = ptr(tcr)
        if corrupt_reg is not None and rnd.random() < 0.5:
            # flip one bit of the PAC field (somewhere in 63:25) between PAC and AUT
            x[3] = 1 << rnd.randrange(25, corrupt_top + 1)
        sctlr = sctlr_random()
        while enabled and sctlr == SCTLR_BASE:
            sctlr = sctlr_random()
        run(words, x, keys_random(), sctlr, tcr, 0 if sp0 else rnd.getrandbits(64) & ~15)

def gen():
    # PACxx/AUTxx Xd, Xn|SP (n = 1 or SP) alone, and PAC then (corrupted) AUT round trips
    for opc in range(8):
        for n in (1, 31):
            one([dp1(opc, n, 0)], 30)
        if opc < 4:
            one([dp1(opc, 1, 0), EOR_X0_X3, dp1(opc + 4, 1, 0)], 40, corrupt_reg=0)
    # Z forms, and their round trips
    for opc in range(8, 16):
        one([dp1(opc, 31, 0)], 30)
        if opc < 12:
            one([dp1(opc, 31, 0), EOR_X0_X3, dp1(opc + 4, 31, 0)], 40, corrupt_reg=0)
    # XPACI, XPACD
    for opc in (16, 17):
        one([dp1(opc, 31, 0)], 40, enabled=True)
    # reserved: Z forms with Rn != 31, XPAC with Rn != 31, opcode 010010
    for w in (dp1(8, 1, 0), dp1(16, 1, 0), dp1(18, 31, 0), dp1(0x20, 31, 0)):
        one([w], 1)
    # PACGA X0, X1, X2 and X0, X1, SP
    one([0x9ac23020], 60)
    one([0x9adf3020], 20)
    # hints: PACIA1716.. AUTIB1716, PACIAZ.. AUTIBSP, XPACLRI; round trips
    for h in (7, 8, 10, 12, 14, 24, 25, 26, 27, 28, 29, 30, 31):
        one([hint(h)], 25, enabled=(h == 7))
    for p, a, eor in ((8, 12, EOR_X17_X3), (10, 14, EOR_X17_X3), (24, 28, EOR_X30_X3), (25, 29, EOR_X30_X3),
                      (26, 30, EOR_X30_X3), (27, 31, EOR_X30_X3)):
        one([hint(p), eor, hint(a)], 40, corrupt_reg=1)
    br = lambda tcr: {1: BASE + 0x100 + 4 * rnd.randrange(0x40), 30: BASE + 0x200 + 4 * rnd.randrange(0x40)}
    # BRAA/BRAB X1, X2|SP; BRAAZ/BRABZ X1; BLRAA..; RETAA/RETAB: after PACIA/PACIB of the target
    for m in (0, 1):
        pac = dp1(m, 2, 1)  # PACIA/PACIB X1, X2
        one([pac, 0xca030021, 0xd71f0800 | (m << 10) | (1 << 5) | 2], 40, corrupt_reg=1, x_over=br, corrupt_top=55)  # eor x1,x1,x3; braa x1,x2
        one([pac, 0xca030021, 0xd73f0800 | (m << 10) | (1 << 5) | 2], 40, corrupt_reg=1, x_over=br, corrupt_top=55)  # blraa
        pacz = dp1(8 + m, 31, 1)  # PACIZA/PACIZB X1
        one([pacz, 0xca030021, 0xd61f081f | (m << 10) | (1 << 5)], 30, corrupt_reg=1, x_over=br, corrupt_top=55)  # braaz x1
        one([pacz, 0xd63f081f | (m << 10) | (1 << 5)], 20, x_over=br, corrupt_top=55)  # blraaz x1
        one([hint(25 + 2 * m), EOR_X30_X3, 0xd65f0bff | (m << 10)], 40, corrupt_reg=1, x_over=br, corrupt_top=55)  # paciasp; retaa
        one([0xd71f0800 | (m << 10) | (1 << 5) | 31], 20, x_over=br, corrupt_top=55)  # braa x1, sp with a random x1
    # reserved: BRAAZ with Rm != 31
    one([0xd61f0801 | (1 << 5)], 1, x_over=br, corrupt_top=55)
    # ERETAA/ERETAB: ELR_EL1 = PACIA(X1, SP), SPSR_EL1 = EL1h
    for m in (0, 1):
        one([dp1(m, 31, 1), 0xca030021, 0xd5184021, 0xd28078a4, 0xd5184004, 0xd69f0bff | (m << 10)], 40, corrupt_reg=1, x_over=br, corrupt_top=55)
    # LDRAA/LDRAB X0, [X1, #off]{!} with X1 = PACDZA/PACDZB(&data), sometimes corrupted. SP = 0:
    # unicorn authenticates with SP as the modifier where the ARM ARM's LDRAA uses X[31] (zero).
    for m in (0, 1):
        for _ in range(60):
            off = rnd.randrange(-64, 64) * 8
            s = 1 if off < 0 else 0
            imm9 = (off >> 3) & 0x1ff
            w = 0xf8200400 | (m << 23) | (s << 22) | (imm9 << 12) | (rnd.getrandbits(1) << 11) | (1 << 5)
            one([dp1(10 + m, 31, 1), 0xca030021, w], 1, corrupt_reg=1, sp0=True,
                x_over=lambda tcr: {1: DATA + 0x800 + rnd.randrange(0, 32) * 8})

gen()
with gzip.open('test/cpu/pauth-vectors.json.gz', 'wt') as f:
    json.dump(cases, f, separators=(',', ':'))
print(len(cases), 'cases,', sum(1 for c in cases if c[6] == 'exc'), 'with an exception')
