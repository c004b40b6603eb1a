#!/usr/bin/python3
"""Differential test vectors for the A64 interpreter, with unicorn as the reference.

Generates short random instruction streams per instruction class (raw 32-bit words built from
the ARM ARM encoding fields, no assembler), runs each on unicorn (ARM64, CPU model MAX, EL1,
MMU off) and records the final state. See tools/difftest/README.md for the vector format.

Run with the system Python (Debian's python3-unicorn): /usr/bin/python3 tools/difftest/gen.py
"""
import argparse
import gzip
import os
import random
import struct
import sys

from unicorn import Uc, UcError, UC_ARCH_ARM64, UC_MODE_ARM, UC_HOOK_CODE, UC_HOOK_MEM_READ, UC_HOOK_MEM_WRITE, UC_HOOK_INTR
from unicorn import arm64_const as A

M64 = (1 << 64) - 1
M32 = (1 << 32) - 1

CODE_BASE = 0x4000_0000
BUF_BASE = 0x4010_0000
BUF_SIZE = 0x1000
RAM_SIZE = 0x20_0000
MAX_WORDS = 16

FORMAT_VERSION = 2
M128 = (1 << 128) - 1


# ---------------------------------------------------------------------------------------------
# The shared PRNG: initial registers and the data buffer are regenerated from a per-case seed
# (the replay in test/cpu/vectors.test.ts implements the same xorshift32).
# ---------------------------------------------------------------------------------------------
def xorshift32(s):
    s ^= (s << 13) & M32
    s ^= s >> 17
    s ^= (s << 5) & M32
    return s


def initial_vregs(seed):
    """V0..V31 (128-bit ints) for FP classes: the draws after the registers and the buffer."""
    s = seed
    for _ in range(64 + BUF_SIZE // 4):
        s = xorshift32(s)
    v = []
    for _ in range(32):
        x = 0
        for k in range(4):
            s = xorshift32(s)
            x |= s << (32 * k)
        v.append(x)
    return v


def initial_state(seed):
    """(regs[32] with index 31 = SP, buffer bytes) from a case seed (nonzero u32)."""
    s = seed
    regs = []
    for _ in range(32):
        s = xorshift32(s)
        lo = s
        s = xorshift32(s)
        regs.append((s << 32) | lo)
    words = []
    for _ in range(BUF_SIZE // 4):
        s = xorshift32(s)
        words.append(s)
    return regs, struct.pack('<%dI' % len(words), *words)


# ---------------------------------------------------------------------------------------------
# Case builder: words plus register overrides, and a model of which registers hold known values
# (so base registers of later loads/stores still point into the buffer).
# ---------------------------------------------------------------------------------------------
class Case:
    def __init__(self, rng):
        self.rng = rng
        self.cls_half = False
        self.expect_undef = False
        self.words = []
        self.over = {}  # reg (0..30, 31 = SP) -> value
        self.clobbered = set()  # registers written with values the generator does not track
        self.known = {}  # reg -> current value (overrides, updated by writeback)
        self.nzcv = rng.randrange(16)
        self.fp = False
        self.fpcr = 0
        self.vover = {}  # V register -> 128-bit value
        self.vknown = set()  # V registers written or given values by this case

    def vset(self, r, v):
        self.vover[r] = v & M128
        self.vknown.add(r)

    def set(self, r, v):
        self.over[r] = v & M64
        self.known[r] = v & M64

    def fresh(self, r):
        """A register not yet constrained by this case (may be given an override)."""
        return r not in self.known and r not in self.clobbered

    def clobber(self, r):
        if r != 31:
            self.clobbered.add(r)
            self.known.pop(r, None)


def special(rng):
    return rng.choice([
        0, 1, M64, 1 << 63, (1 << 63) - 1, 0xFFFFFFFF, 0x80000000, 0x7FFFFFFF,
        0x1_0000_0000, 0xFFFFFFFF_00000000, rng.randrange(64), (-rng.randrange(1, 65)) & M64,
        rng.getrandbits(32), rng.getrandbits(64), 0x8000, 0xFFFF_FFFF_FFFF_8000,
    ])


def maybe_special(c, r, p=0.35):
    """Give a source register an interesting value sometimes (only if unconstrained)."""
    if r != 31 and c.fresh(r) and c.rng.random() < p:
        c.set(r, special(c.rng))


def rreg(rng, p31=0.1):
    return 31 if rng.random() < p31 else rng.randrange(31)


# ---------------------------------------------------------------------------------------------
# Data processing, immediate (ARM ARM C4.1.86)
# ---------------------------------------------------------------------------------------------
def g_addsub_imm(c):
    r = c.rng
    sf, op, S, sh = r.getrandbits(1), r.getrandbits(1), r.getrandbits(1), r.getrandbits(1)
    imm = r.choice([0, 1, r.getrandbits(12), 0xFFF])
    rn, rd = rreg(r), rreg(r)
    maybe_special(c, rn)
    c.words.append((sf << 31) | (op << 30) | (S << 29) | (0b100010 << 23) | (sh << 22) | (imm << 10) | (rn << 5) | rd)
    c.clobber(rd)


def bitmask_valid(N, immr, imms, sf):
    if sf == 0 and N == 1:
        return False
    v = (N << 6) | ((~imms) & 0x3F)
    if v == 0:
        return False
    length = v.bit_length() - 1
    if length < 1:
        return False
    levels = (1 << length) - 1
    return (imms & levels) != levels


def g_logical_imm(c):
    r = c.rng
    while True:
        sf = r.getrandbits(1)
        N = r.getrandbits(1) if sf else 0
        immr, imms = r.getrandbits(6), r.getrandbits(6)
        if bitmask_valid(N, immr, imms, sf):
            break
    opc = r.getrandbits(2)
    rn, rd = rreg(r), rreg(r)
    maybe_special(c, rn)
    c.words.append((sf << 31) | (opc << 29) | (0b100100 << 23) | (N << 22) | (immr << 16) | (imms << 10) | (rn << 5) | rd)
    c.clobber(rd)


def g_movewide(c):
    r = c.rng
    sf = r.getrandbits(1)
    opc = r.choice([0, 2, 3])
    hw = r.randrange(4 if sf else 2)
    imm = r.choice([0, 0xFFFF, r.getrandbits(16)])
    rd = rreg(r)
    maybe_special(c, rd)  # MOVK keeps the other bits
    c.words.append((sf << 31) | (opc << 29) | (0b100101 << 23) | (hw << 21) | (imm << 5) | rd)
    c.clobber(rd)


def g_bitfield(c):
    r = c.rng
    sf = r.getrandbits(1)
    opc = r.randrange(3)
    if sf:
        immr, imms = r.getrandbits(6), r.getrandbits(6)
    else:
        immr, imms = r.getrandbits(5), r.getrandbits(5)
    if r.random() < 0.2:
        imms = r.choice([0, 7, 15, 31, 63 if sf else 31])
    rn, rd = rreg(r), rreg(r)
    maybe_special(c, rn)
    maybe_special(c, rd)  # BFM keeps the other bits
    c.words.append((sf << 31) | (opc << 29) | (0b100110 << 23) | (sf << 22) | (immr << 16) | (imms << 10) | (rn << 5) | rd)
    c.clobber(rd)


def g_extr(c):
    r = c.rng
    sf = r.getrandbits(1)
    imms = r.getrandbits(6) if sf else r.getrandbits(5)
    rm, rn, rd = rreg(r), rreg(r), rreg(r)
    maybe_special(c, rn)
    maybe_special(c, rm)
    c.words.append((sf << 31) | (0b00100111 << 23) | (sf << 22) | (rm << 16) | (imms << 10) | (rn << 5) | rd)
    c.clobber(rd)


def g_adr(c):
    r = c.rng
    op = r.getrandbits(1)
    imm = r.getrandbits(21)
    rd = rreg(r)
    c.words.append((op << 31) | ((imm & 3) << 29) | (0b10000 << 24) | ((imm >> 2) << 5) | rd)
    c.clobber(rd)


# ---------------------------------------------------------------------------------------------
# Data processing, register (C4.1.87)
# ---------------------------------------------------------------------------------------------
def g_addsub_shift(c):
    r = c.rng
    sf, op, S = r.getrandbits(1), r.getrandbits(1), r.getrandbits(1)
    shift = r.randrange(3)
    imm6 = r.getrandbits(6) if sf else r.getrandbits(5)
    if r.random() < 0.3:
        imm6 = 0
    rm, rn, rd = rreg(r), rreg(r), rreg(r)
    maybe_special(c, rn)
    maybe_special(c, rm)
    c.words.append((sf << 31) | (op << 30) | (S << 29) | (0b01011 << 24) | (shift << 22) | (rm << 16) | (imm6 << 10) | (rn << 5) | rd)
    c.clobber(rd)


def g_addsub_ext(c):
    r = c.rng
    sf, op, S = r.getrandbits(1), r.getrandbits(1), r.getrandbits(1)
    option = r.getrandbits(3)
    imm3 = r.randrange(5)
    rm, rn, rd = rreg(r), rreg(r), rreg(r)
    maybe_special(c, rn)
    maybe_special(c, rm)
    c.words.append((sf << 31) | (op << 30) | (S << 29) | (0b01011001 << 21) | (rm << 16) | (option << 13) | (imm3 << 10) | (rn << 5) | rd)
    c.clobber(rd)


def g_adc(c):
    r = c.rng
    sf, op, S = r.getrandbits(1), r.getrandbits(1), r.getrandbits(1)
    rm, rn, rd = rreg(r), rreg(r), rreg(r)
    maybe_special(c, rn, 0.5)
    maybe_special(c, rm, 0.5)
    c.words.append((sf << 31) | (op << 30) | (S << 29) | (0b11010000 << 21) | (rm << 16) | (rn << 5) | rd)
    c.clobber(rd)


def g_logical_reg(c):
    r = c.rng
    sf, opc, N = r.getrandbits(1), r.getrandbits(2), r.getrandbits(1)
    shift = r.getrandbits(2)
    imm6 = r.getrandbits(6) if sf else r.getrandbits(5)
    if r.random() < 0.3:
        imm6 = 0
    rm, rn, rd = rreg(r), rreg(r), rreg(r)
    maybe_special(c, rn)
    maybe_special(c, rm)
    c.words.append((sf << 31) | (opc << 29) | (0b01010 << 24) | (shift << 22) | (N << 21) | (rm << 16) | (imm6 << 10) | (rn << 5) | rd)
    c.clobber(rd)


def g_csel(c):
    r = c.rng
    sf, op, op2 = r.getrandbits(1), r.getrandbits(1), r.getrandbits(1)
    cond = r.getrandbits(4)
    rm, rn, rd = rreg(r), rreg(r), rreg(r)
    maybe_special(c, rn)
    maybe_special(c, rm)
    c.words.append((sf << 31) | (op << 30) | (0b11010100 << 21) | (rm << 16) | (cond << 12) | (op2 << 10) | (rn << 5) | rd)
    c.clobber(rd)


def g_ccmp(c):
    r = c.rng
    sf, op, isimm = r.getrandbits(1), r.getrandbits(1), r.getrandbits(1)
    cond, nzcv = r.getrandbits(4), r.getrandbits(4)
    rm, rn = r.randrange(32), rreg(r)
    maybe_special(c, rn, 0.5)
    if not isimm:
        maybe_special(c, rm, 0.5)
    c.words.append((sf << 31) | (op << 30) | (1 << 29) | (0b11010010 << 21) | (rm << 16) | (cond << 12) | (isimm << 11) | (rn << 5) | nzcv)


def g_dp1(c):
    r = c.rng
    sf = r.getrandbits(1)
    opcode = r.choice([0, 1, 2, 3, 4, 5] if sf else [0, 1, 2, 4, 5])
    rn, rd = rreg(r), rreg(r)
    maybe_special(c, rn, 0.5)
    c.words.append((sf << 31) | (1 << 30) | (0b11010110 << 21) | (opcode << 10) | (rn << 5) | rd)
    c.clobber(rd)


def g_dp2(c):
    r = c.rng
    kind = r.randrange(3)
    if kind == 0:  # UDIV/SDIV
        sf, opcode = r.getrandbits(1), r.choice([2, 3])
    elif kind == 1:  # LSLV/LSRV/ASRV/RORV
        sf, opcode = r.getrandbits(1), r.choice([8, 9, 10, 11])
    else:  # CRC32{B,H,W,X}, CRC32C{B,H,W,X}: the X forms need sf=1, the others sf=0
        sz, C = r.getrandbits(2), r.getrandbits(1)
        sf, opcode = (1 if sz == 3 else 0), 0b010000 | (C << 2) | sz
    rm, rn, rd = rreg(r), rreg(r), rreg(r)
    maybe_special(c, rn, 0.5)
    maybe_special(c, rm, 0.5)
    c.words.append((sf << 31) | (0b11010110 << 21) | (rm << 16) | (opcode << 10) | (rn << 5) | rd)
    c.clobber(rd)


def g_dp3(c):
    r = c.rng
    op31, o0 = r.choice([(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (5, 0), (5, 1), (6, 0)])
    sf = r.getrandbits(1) if op31 == 0 else 1
    rm, rn, rd = rreg(r), rreg(r), rreg(r)
    ra = 31 if op31 in (2, 6) else rreg(r)  # SMULH/UMULH: Ra is (1)(1)(1)(1)(1)
    for x in (rm, rn, ra):
        maybe_special(c, x, 0.4)
    c.words.append((sf << 31) | (0b11011 << 24) | (op31 << 21) | (rm << 16) | (o0 << 15) | (ra << 10) | (rn << 5) | rd)
    c.clobber(rd)


# ---------------------------------------------------------------------------------------------
# Loads and stores (C4.1.88). Every access lands naturally aligned inside the data buffer.
# ---------------------------------------------------------------------------------------------
def pick_ea(rng, size, span=None):
    span = span or size
    return BUF_BASE + rng.randrange((BUF_SIZE - span) // size + 1) * size


def base_for(c, rn, size, offsets, span=None, post=False, tries=40):
    """Choose an offset from `offsets()` and make Rn hold a base so that the effective address
    (base + offset, or base itself for post-index) is an aligned address inside the buffer.
    Returns the offset or None. SP as a base is kept 16-byte aligned (SCTLR_ELx.SA)."""
    span = span or size
    for _ in range(tries):
        off = offsets()
        if rn in c.known:
            base = c.known[rn]
            ea = base if post else (base + off) & M64
            if BUF_BASE <= ea <= BUF_BASE + BUF_SIZE - span and ea % size == 0 and (rn != 31 or base % 16 == 0):
                return off
            continue
        if not c.fresh(rn):
            return None
        ea = pick_ea(c.rng, size, span)
        base = ea if post else (ea - off) & M64
        if rn == 31 and base % 16:
            continue
        c.set(rn, base)
        return off
    return None


def free_base(c, avoid=()):
    for _ in range(50):
        rn = 31 if c.rng.random() < 0.12 else c.rng.randrange(31)
        if rn not in avoid and (rn in c.known or c.fresh(rn)):
            return rn
    return None


# (size, opc, is_load, regsize) for LDR/STR/LDRS variants; size 3 opc 2 is PRFM (skipped).
LDST_FORMS = [(s, o) for s in range(4) for o in range(4) if not (s == 3 and o >= 2) and not (s == 2 and o == 3)]


def g_ldst(c):
    r = c.rng
    if r.random() < 0.03:
        return g_prfm(c)
    size, opc = r.choice(LDST_FORMS)
    nbytes = 1 << size
    is_load = opc != 0
    mode = r.choice(['uimm', 'unscaled', 'pre', 'post', 'reg', 'unpriv', 'literal'])
    if mode == 'literal':
        return g_literal(c)
    rt = rreg(r)
    wback = mode in ('pre', 'post')
    rn = free_base(c, avoid=(rt,) if wback else ())
    if rn is None:
        return
    if not is_load:
        maybe_special(c, rt, 0.3)
    if mode == 'uimm':
        off = base_for(c, rn, nbytes, lambda: r.choice([0, r.randrange(4096), r.randrange(64)]) * nbytes)
        if off is None:
            return
        w = (size << 30) | (0b111001 << 24) | (opc << 22) | ((off // nbytes) << 10) | (rn << 5) | rt
    elif mode == 'reg':
        option, S = r.choice([2, 3, 6, 7]), r.getrandbits(1)
        rm = r.randrange(32)
        if rm == rn or (rm != 31 and not c.fresh(rm)):
            return
        k = r.randrange(-64, 65) if option in (6, 7) else r.randrange(0, 65)
        idx = k << (size if S else 0)
        if rm == 31:
            idx = 0
        off = base_for(c, rn, nbytes, lambda: idx)
        if off is None:
            return
        if rm != 31:
            v = k & M64
            if option == 2:  # UXTW: the top half is ignored
                v = (r.getrandbits(32) << 32) | (k & M32)
            elif option == 6:  # SXTW
                v = (r.getrandbits(32) << 32) | (k & M32)
            c.set(rm, v)
        w = (size << 30) | (0b111000 << 24) | (opc << 22) | (1 << 21) | (rm << 16) | (option << 13) | (S << 12) | (0b10 << 10) | (rn << 5) | rt
    else:
        imms = lambda: r.randrange(-256 // nbytes, 256 // nbytes) * nbytes
        off = base_for(c, rn, nbytes, imms, post=(mode == 'post'))
        if off is None:
            return
        idx = {'unscaled': 0b00, 'post': 0b01, 'pre': 0b11, 'unpriv': 0b10}[mode]
        w = (size << 30) | (0b111000 << 24) | (opc << 22) | ((off & 0x1FF) << 12) | (idx << 10) | (rn << 5) | rt
        if wback:
            c.known[rn] = (c.known[rn] + off) & M64
    c.words.append(w)
    if is_load:
        c.clobber(rt)


def g_literal(c):
    """LDR (literal) W/X, LDRSW (literal), PRFM (literal): PC-relative, reading an earlier word
    of the stream itself (or this one), naturally aligned."""
    r = c.rng
    opc = r.randrange(4)  # 00 W, 01 X, 10 LDRSW, 11 PRFM
    i = len(c.words)
    nbytes = 8 if opc == 1 else 4
    cands = [k for k in range(i + 1) if (4 * k) % nbytes == 0 and 4 * k + nbytes <= 4 * (i + 1)]
    if not cands:
        return
    k = r.choice(cands)
    rt = rreg(r)
    c.words.append((opc << 30) | (0b011000 << 24) | (((k - i) & 0x7FFFF) << 5) | rt)
    if opc != 3:
        c.clobber(rt)


def g_prfm(c):
    """PRFM (immediate, unsigned offset): no architectural effect, must not fault."""
    r = c.rng
    rn = free_base(c)
    if rn is None:
        return
    off = base_for(c, rn, 8, lambda: r.randrange(64) * 8)
    if off is None:
        return
    c.words.append((3 << 30) | (0b111001 << 24) | (2 << 22) | ((off // 8) << 10) | (rn << 5) | r.choice([0, 1, 2, 8, 16, 17]))


def g_ldst_pair(c):
    r = c.rng
    L = r.getrandbits(1)
    opc = r.choice([0, 1, 2] if L else [0, 2])  # opc 01 with L=1: LDPSW (L=0 is STGP, MTE)
    nbytes = 8 if opc == 2 else 4
    idx = r.choice([0, 1, 2, 3])  # 00 LDNP/STNP, 01 post, 10 offset, 11 pre
    if opc == 1 and idx == 0:
        idx = 2
    wback = idx in (1, 3)
    rt, rt2 = rreg(r), rreg(r)
    if L and rt == rt2:
        return
    rn = free_base(c, avoid=(rt, rt2) if wback else ())
    if rn is None:
        return
    if not L:
        maybe_special(c, rt, 0.3)
        maybe_special(c, rt2, 0.3)
    off = base_for(c, rn, nbytes, lambda: r.randrange(-64, 64) * nbytes, span=2 * nbytes, post=(idx == 1))
    if off is None:
        return
    c.words.append((opc << 30) | (0b101 << 27) | (idx << 23) | (L << 22) | (((off // nbytes) & 0x7F) << 15) | (rt2 << 10) | (rn << 5) | rt)
    if wback:
        c.known[rn] = (c.known[rn] + off) & M64
    if L:
        c.clobber(rt)
        c.clobber(rt2)


def exclusive_words(size, o2, L, o1, o0, rs, rt2, rn, rt):
    return (size << 30) | (0b001000 << 24) | (o2 << 23) | (L << 22) | (o1 << 21) | (rs << 16) | (o0 << 15) | (rt2 << 10) | (rn << 5) | rt


def g_exclusive(c):
    """LDXR/LDAXR then STXR/STLXR of the same size to the same address (so the store's success
    is architecturally defined), sometimes with CLREX between (the store then fails);
    pair forms LDXP/STXP; and the ordered LDAR/STLR."""
    r = c.rng
    kind = r.randrange(4)
    if kind == 3:  # LDAR/STLR (o2=1, o1=0, o0=1), any size
        size, L = r.randrange(4), r.getrandbits(1)
        rt = rreg(r)
        rn = free_base(c)
        if rn is None or base_for(c, rn, 1 << size, lambda: 0) is None:
            return
        if not L:
            maybe_special(c, rt, 0.3)
        c.words.append(exclusive_words(size, 1, L, 0, 1, 31, 31, rn, rt))
        if L:
            c.clobber(rt)
        return
    pair = kind == 2
    size = r.choice([2, 3])
    if not pair:
        size = r.randrange(4)
    nbytes = (1 << size) * (2 if pair else 1)
    rn = free_base(c)
    if rn is None or base_for(c, rn, nbytes, lambda: 0) is None:
        return
    # The load (Rt, Rt2 must differ for the pair).
    lt = r.choice([x for x in range(31) if x != rn])
    lt2 = 31
    if pair:
        lt2 = r.choice([x for x in range(31) if x not in (rn, lt)])
    o0 = r.getrandbits(1)
    c.words.append(exclusive_words(size, 0, 1, 1 if pair else 0, o0, 31, lt2, rn, lt))
    c.clobber(lt)
    if pair:
        c.clobber(lt2)
    if r.random() < 0.15:
        c.words.append(0xD503305F)  # CLREX
    # The store: Ws differs from Rt, Rt2 and Rn.
    st, st2 = rreg(r), (rreg(r) if pair else 31)
    choices = [x for x in range(31) if x not in (st, st2, rn)]
    rs = r.choice(choices)
    maybe_special(c, st, 0.3)
    c.words.append(exclusive_words(size, 0, 0, 1 if pair else 0, r.getrandbits(1), rs, st2, rn, st))
    c.clobber(rs)


def g_atomic(c):
    """FEAT_LSE: LD<op>, SWP, CAS, CASP (naturally aligned, inside the buffer)."""
    r = c.rng
    kind = r.choice(['ldop', 'ldop', 'swp', 'cas', 'casp'])
    A_, R_ = r.getrandbits(1), r.getrandbits(1)
    rn = free_base(c)
    if rn is None:
        return
    if kind == 'casp':
        sz = r.getrandbits(1)  # 0: W pairs, 1: X pairs
        nbytes = 8 << sz
        if base_for(c, rn, nbytes, lambda: 0) is None:
            return
        rs = r.randrange(0, 30, 2)
        rt = r.randrange(0, 30, 2)
        ea = c.known[rn] - BUF_BASE
        half = nbytes // 2
        if r.random() < 0.6 and c.fresh(rs) and c.fresh(rs + 1):
            # Compare values equal to the initial memory (unless this case already stored there).
            c.set(rs, int.from_bytes(c.buf[ea:ea + half], 'little') | (r.getrandbits(32) << 32 if half == 4 else 0))
            c.set(rs + 1, int.from_bytes(c.buf[ea + half:ea + nbytes], 'little') | (r.getrandbits(32) << 32 if half == 4 else 0))
        for x in (rs, rs + 1, rt, rt + 1):
            maybe_special(c, x, 0.3)
        c.words.append((sz << 30) | (0b001000 << 24) | (0 << 23) | (A_ << 22) | (1 << 21) | (rs << 16) | (R_ << 15) | (0b11111 << 10) | (rn << 5) | rt)
        c.clobber(rs)
        c.clobber(rs + 1)
        return
    size = r.randrange(4)
    nbytes = 1 << size
    if base_for(c, rn, nbytes, lambda: 0) is None:
        return
    rs, rt = rreg(r), rreg(r)
    if kind == 'cas' and rs != 31 and c.fresh(rs) and r.random() < 0.6:
        # A compare value equal to the initial memory (upper bits beyond the size are ignored).
        ea = c.known[rn] - BUF_BASE
        v = int.from_bytes(c.buf[ea:ea + nbytes], 'little')
        c.set(rs, v | (r.getrandbits(64 - 8 * nbytes) << (8 * nbytes) if nbytes < 8 else v))
    maybe_special(c, rs, 0.4)
    if kind == 'cas':
        c.words.append((size << 30) | (0b001000 << 24) | (1 << 23) | (A_ << 22) | (1 << 21) | (rs << 16) | (R_ << 15) | (0b11111 << 10) | (rn << 5) | rt)
        c.clobber(rs)
        return
    o3, opc = (1, 0) if kind == 'swp' else (0, r.randrange(8))
    if kind == 'ldop' and opc >= 4 and size < 3 and rs != 31 and c.fresh(rs) and r.random() < 0.7:
        # The min/max forms: a register already extended from its low bits (see check_minmax).
        bits = 8 << size
        v = r.getrandbits(bits - 1) if r.random() < 0.8 else r.getrandbits(bits)
        if opc in (4, 5) and v >> (bits - 1):
            v |= M64 << bits
        c.set(rs, v)
    c.words.append((size << 30) | (0b111000 << 24) | (A_ << 23) | (R_ << 22) | (1 << 21) | (rs << 16) | (o3 << 15) | (opc << 12) | (rn << 5) | rt)
    c.clobber(rt)



# ---------------------------------------------------------------------------------------------
# Scalar floating point (C4.1.91-96), single and double precision (ftype 00, 01), half (11)
# in the fp16 class. FPCR: random RMode, FZ, DN (AHP with half); FPSR starts at 0.
# ---------------------------------------------------------------------------------------------
FBITS = {0: (8, 23), 1: (11, 52), 3: (5, 10)}  # ftype -> (exponent bits, fraction bits)


def fp_special(r, ftype):
    e, f = FBITS[ftype]
    width = 1 + e + f
    bias = (1 << (e - 1)) - 1
    sign = r.getrandbits(1) << (width - 1)
    emax = (1 << e) - 1
    k = r.randrange(12)
    if k == 0:
        v = 0
    elif k == 1:
        v = emax << f  # infinity
    elif k == 2:
        v = (emax << f) | (1 << (f - 1)) | r.getrandbits(f - 1)  # quiet NaN
    elif k == 3:
        v = (emax << f) | max(1, r.getrandbits(f - 1))  # signalling NaN
    elif k == 4:
        v = max(1, r.getrandbits(f))  # denormal
    elif k == 5:
        v = (bias << f)  # 1.0
    elif k == 6:  # integers and halves, ties for the rounding modes
        m = r.randrange(1, 64)
        x = m / 2.0
        v = fp_from_float(x, ftype)
    elif k == 7:  # near the integer conversion limits: 2^31, 2^32, 2^63, 2^64
        ex = r.choice([31, 32, 63, 64])
        ex = min(ex, emax - 1 - bias)
        v = ((bias + ex) << f) | (r.getrandbits(min(f, 3)) if r.getrandbits(1) else 0)
        if r.getrandbits(1):
            v = ((bias + ex - 1) << f) | ((1 << f) - 1)
    elif k == 8:  # the largest finite and the smallest normal
        v = r.choice([((emax - 1) << f) | ((1 << f) - 1), 1 << f])
    else:  # a normal number of modest exponent
        v = ((bias + r.randrange(-20, 21)) << f) | r.getrandbits(f)
    return sign | v


def fp_from_float(x, ftype):
    if ftype == 1:
        return struct.unpack('<Q', struct.pack('<d', x))[0]
    if ftype == 0:
        return struct.unpack('<I', struct.pack('<f', x))[0]
    return struct.unpack('<H', struct.pack('<e', x))[0]


def vsrc(c, rn, ftype, p=0.75):
    """A V source register: sometimes a special value of the type (upper bits random)."""
    if rn not in c.vknown and c.rng.random() < p:
        width = 1 + sum(FBITS[ftype])
        c.vset(rn, (c.rng.getrandbits(128 - width) << width) | fp_special(c.rng, ftype))


def vdst(c, rd):
    c.vknown.add(rd)


def fp_setup(c, half=False):
    if not c.fp:
        c.fp = True
        r = c.rng
        # RMode, FZ, DN, AHP (AHP only changes conversions to and from half precision).
        c.fpcr = (r.getrandbits(2) << 22) | ((r.random() < 0.25) << 24) | ((r.random() < 0.25) << 25) | ((r.random() < 0.25) << 26)


def pick_ftype(c):
    return 3 if c.cls_half else c.rng.choice([0, 1])


def g_fp(c):
    r = c.rng
    fp_setup(c, c.cls_half)
    ftype = pick_ftype(c)
    rd, rn, rm, ra = (r.randrange(32) for _ in range(4))
    k = r.randrange(10)
    if k <= 2:  # FMUL FDIV FADD FSUB FMAX FMIN FMAXNM FMINNM FNMUL
        vsrc(c, rn, ftype), vsrc(c, rm, ftype)
        c.words.append(0x1E200800 | (ftype << 22) | (rm << 16) | (r.randrange(9) << 12) | (rn << 5) | rd)
        vdst(c, rd)
    elif k == 3:  # FMADD FMSUB FNMADD FNMSUB
        for x in (rn, rm, ra):
            vsrc(c, x, ftype)
        c.words.append(0x1F000000 | (ftype << 22) | (r.getrandbits(1) << 21) | (rm << 16) | (r.getrandbits(1) << 15) | (ra << 10) | (rn << 5) | rd)
        vdst(c, rd)
    elif k == 4:  # 1-source: FMOV FABS FNEG FSQRT, FCVT, FRINT{N,P,M,Z,A,X,I}
        vsrc(c, rn, ftype)
        opts = [0, 1, 2, 3, 8, 9, 10, 11, 12, 14, 15] + [4 | t for t in (0, 1, 3) if t != ftype]
        c.words.append(0x1E204000 | (ftype << 22) | (r.choice(opts) << 15) | (rn << 5) | rd)
        vdst(c, rd)
    elif k == 5:  # FCMP/FCMPE (register or #0.0), FCCMP/FCCMPE
        vsrc(c, rn, ftype), vsrc(c, rm, ftype)
        if r.getrandbits(1):
            opc2 = r.choice([0, 8, 16, 24])
            c.words.append(0x1E202000 | (ftype << 22) | ((0 if opc2 & 8 else rm) << 16) | (rn << 5) | opc2)
        else:
            c.words.append(0x1E200400 | (ftype << 22) | (rm << 16) | (r.getrandbits(4) << 12) | (rn << 5) | (r.getrandbits(1) << 4) | r.getrandbits(4))
    elif k == 6:  # FCSEL, FMOV (immediate)
        if r.getrandbits(1):
            vsrc(c, rn, ftype), vsrc(c, rm, ftype)
            c.words.append(0x1E200C00 | (ftype << 22) | (rm << 16) | (r.getrandbits(4) << 12) | (rn << 5) | rd)
        else:
            c.words.append(0x1E201000 | (ftype << 22) | (r.getrandbits(8) << 13) | rd)
        vdst(c, rd)
    elif k in (7, 8):  # FP -> integer (FCVT{N,A,P,M,Z}{S,U}), integer -> FP (SCVTF, UCVTF), FMOV
        sf = r.getrandbits(1)
        rmode, opcode = r.choice([(0, 0), (0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (1, 0), (1, 1), (2, 0), (2, 1), (3, 0), (3, 1), (0, 6), (0, 7)])
        if opcode in (6, 7):  # FMOV general <-> FP: sizes must match (half: either)
            if ftype == 0:
                sf = 0
            elif ftype == 1:
                sf = 1
        if opcode in (2, 3, 7):  # from a general register
            xn = r.randrange(32)
            maybe_special(c, xn, 0.5)
            c.words.append(0x1E200000 | (sf << 31) | (ftype << 22) | (rmode << 19) | (opcode << 16) | (xn << 5) | rd)
            vdst(c, rd)
        else:
            vsrc(c, rn, ftype)
            xd = rreg(r)
            c.words.append(0x1E200000 | (sf << 31) | (ftype << 22) | (rmode << 19) | (opcode << 16) | (rn << 5) | xd)
            c.clobber(xd)
    else:  # fixed point: SCVTF/UCVTF (rmode 00, opcode 01x), FCVTZS/FCVTZU (rmode 11, opcode 00x)
        sf = r.getrandbits(1)
        scale = r.randrange(0 if sf else 32, 64)
        if r.getrandbits(1):
            xn = r.randrange(32)
            maybe_special(c, xn, 0.5)
            c.words.append(0x1E000000 | (sf << 31) | (ftype << 22) | (0 << 19) | (r.choice([2, 3]) << 16) | (scale << 10) | (xn << 5) | rd)
            vdst(c, rd)
        else:
            vsrc(c, rn, ftype)
            xd = rreg(r)
            c.words.append(0x1E000000 | (sf << 31) | (ftype << 22) | (3 << 19) | (r.choice([0, 1]) << 16) | (scale << 10) | (rn << 5) | xd)
            c.clobber(xd)

# ---------------------------------------------------------------------------------------------
# System (C4.1.90): MSR/MRS round trips of plain read/write registers, NZCV, DAIF, CurrentEL,
# DAIFSet/DAIFClr, hints and barriers.
# ---------------------------------------------------------------------------------------------
# name -> (op0, op1, CRn, CRm, op2); registers whose every bit reads back as written.
SYSREGS_RW = {
    'TPIDR_EL0': (3, 3, 13, 0, 2), 'TPIDRRO_EL0': (3, 3, 13, 0, 3), 'TPIDR_EL1': (3, 0, 13, 0, 4),
    'FAR_EL1': (3, 0, 6, 0, 0), 'ELR_EL1': (3, 0, 4, 0, 1), 'SP_EL0': (3, 0, 4, 1, 0),
    'MAIR_EL1': (3, 0, 10, 2, 0),
}
NZCV_REG = (3, 3, 4, 2, 0)
DAIF_REG = (3, 3, 4, 2, 1)
CURRENTEL = (3, 0, 4, 2, 2)
HINTS = [0xD503201F, 0xD503203F, 0xD5033BBF, 0xD5033F9F, 0xD5033FDF, 0xD50339BF, 0xD503305F]


def sysreg_word(L, enc, rt):
    op0, op1, crn, crm, op2 = enc
    return 0xD5100000 | (L << 21) | ((op0 - 2) << 19) | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | rt


def g_system(c):
    r = c.rng
    if not hasattr(c, 'written'):
        c.written = set()
    k = r.randrange(10)
    rt = rreg(r)
    if k <= 2:  # MSR <reg>, Xt
        name = r.choice(list(SYSREGS_RW))
        maybe_special(c, rt)
        c.words.append(sysreg_word(0, SYSREGS_RW[name], rt))
        c.written.add(name)
    elif k == 3 and c.written - {'DAIF'}:  # MRS Xt, <reg> (only after this case wrote it)
        c.words.append(sysreg_word(1, SYSREGS_RW[r.choice(sorted(c.written - {'DAIF'}))], rt))
        c.clobber(rt)
    elif k == 4:  # MSR NZCV, Xt / MRS Xt, NZCV
        L = r.getrandbits(1)
        if not L:
            maybe_special(c, rt)
        c.words.append(sysreg_word(L, NZCV_REG, rt))
        if L:
            c.clobber(rt)
    elif k == 5:  # MSR DAIF, Xt; MRS once written
        if 'DAIF' in c.written and r.getrandbits(1):
            c.words.append(sysreg_word(1, DAIF_REG, rt))
            c.clobber(rt)
        else:
            maybe_special(c, rt)
            c.words.append(sysreg_word(0, DAIF_REG, rt))
            c.written.add('DAIF')
    elif k == 6:  # MSR DAIFSet/DAIFClr, #imm
        c.words.append(0xD503401F | (r.choice([6, 7]) << 5) | (r.randrange(16) << 8))
    elif k == 7:
        c.words.append(sysreg_word(1, CURRENTEL, rt))
        c.clobber(rt)
    elif k == 8:
        c.words.append(r.choice(HINTS))
    else:
        g_addsub_imm(c) if r.getrandbits(1) else g_ccmp(c)


# ---------------------------------------------------------------------------------------------
# Branches: forward only, to an instruction of the stream or to its end.
# ---------------------------------------------------------------------------------------------
def flag_setter(c):
    """A filler that sets flags or registers (ADDS/SUBS imm, ANDS reg, MOVZ) on X0-X15."""
    r = c.rng
    k = r.randrange(4)
    rn, rd = r.randrange(16), r.choice([r.randrange(16), 31])
    if k == 0:
        g = (r.getrandbits(1) << 31) | (r.getrandbits(1) << 30) | (1 << 29) | (0b100010 << 23) | (r.getrandbits(3) << 10) | (rn << 5) | rd
    elif k == 1:
        g = (r.getrandbits(1) << 31) | (r.getrandbits(1) << 30) | (1 << 29) | (0b01011 << 24) | (r.randrange(16) << 16) | (rn << 5) | rd
    elif k == 2:
        g = (1 << 31) | (0b11 << 29) | (0b01010 << 24) | (r.randrange(16) << 16) | (rn << 5) | rd
    else:
        rd = r.randrange(16)
        g = (1 << 31) | (0b10 << 29) | (0b100101 << 23) | (r.choice([0, 1, 2]) << 5) | rd
    c.clobber(rd)
    return g


def branch_word(c, pos, target):
    """A forward branch at word index `pos` to word index `target` (> pos; may be the end), or
    None when no register is free for an indirect one."""
    r = c.rng
    dist = target - pos
    k = r.choice(['bcond', 'bcond', 'cb', 'tb', 'b', 'bl', 'br', 'blr', 'ret'])
    if k in ('bl', 'blr') and 30 in c.known:
        k = 'b'
    if k == 'bcond':
        return (0b01010100 << 24) | ((dist & 0x7FFFF) << 5) | r.getrandbits(4)
    if k == 'cb':
        rt = r.randrange(32)
        if rt < 31 and c.fresh(rt) and r.random() < 0.4:
            c.set(rt, r.choice([0, 1 << 32, 1]))
        return (r.getrandbits(1) << 31) | (0b011010 << 25) | (r.getrandbits(1) << 24) | ((dist & 0x7FFFF) << 5) | rt
    if k == 'tb':
        rt, bit = r.randrange(32), r.randrange(64)
        return ((bit >> 5) << 31) | (0b011011 << 25) | (r.getrandbits(1) << 24) | ((bit & 31) << 19) | ((dist & 0x3FFF) << 5) | rt
    if k in ('b', 'bl'):
        if k == 'bl':
            c.clobber(30)
        return ((1 if k == 'bl' else 0) << 31) | (0b00101 << 26) | dist
    # BR/BLR/RET Xn with Xn = the target address; Xn from X16-X30, unclobbered.
    want = CODE_BASE + 4 * target
    cands = [x for x in range(16, 31) if c.fresh(x) or c.known.get(x) == want]
    if not cands:
        return None
    rn = r.choice(cands)
    c.set(rn, want)
    if k == 'blr':
        c.clobber(30)
    return 0xD61F0000 | ({'br': 0, 'blr': 1, 'ret': 2}[k] << 21) | (rn << 5)


def gen_branch_case(c, n):
    for i in range(n):
        w = None
        if c.rng.random() >= 0.4:
            w = branch_word(c, i, i + c.rng.randrange(1, n - i + 1))
        c.words.append(w if w is not None else flag_setter(c))


ALU_CLASSES = ['addsub_imm', 'logical_imm', 'movewide', 'bitfield', 'extr', 'addsub_shift', 'addsub_ext',
               'adc', 'logical_reg', 'csel', 'ccmp', 'dp1', 'dp2', 'dp3']


def gen_loop_case(c):
    """MOVZ Xc, #n; body (ALU, loads/stores); SUBS Xc, Xc, #1; B.NE body: a backward branch
    taken n-1 times. Xc is a register no body instruction names."""
    r = c.rng
    while len(c.words) < r.randint(1, 6):
        CLASSES[r.choice(ALU_CLASSES + ['ldst', 'ldst_pair'])](c)
    body = c.words
    named = set()
    for w in body:
        named |= {w & 31, (w >> 5) & 31, (w >> 10) & 31, (w >> 16) & 31}
    free = [x for x in range(31) if x not in named and x not in c.known]
    if not free:
        c.words = []
        return
    xc = r.choice(free)
    n = r.randint(1, 5)
    c.words = [0xD2800000 | (n << 5) | xc] + body + [
        0xF1000400 | (xc << 5) | xc,  # SUBS Xc, Xc, #1
        0x54000001 | (((-(len(body) + 1)) & 0x7FFFF) << 5),  # B.NE to the body's first word
    ]
    c.clobber(xc)


def gen_smc_case(c):
    """Self-modifying code with the architected sequence (ARM ARM B2.4.4: STR; DC CVAU; DSB ISH;
    IC IVAU; DSB ISH; ISB): the stream overwrites a later ALU instruction, which must then execute
    in its new form."""
    r = c.rng
    old = Case(r)
    CLASSES[r.choice(ALU_CLASSES)](old)
    new = Case(r)
    CLASSES[r.choice(ALU_CLASSES)](new)
    if not old.words or not new.words:
        return
    pre = []
    while len(pre) < r.randint(0, 2):
        g = Case(r)
        CLASSES[r.choice(ALU_CLASSES)](g)
        pre += g.words
    # X registers for the address and the new word: any two not named by the other words.
    named = set()
    for w in pre + old.words[:1] + new.words[:1]:
        named |= {w & 31, (w >> 5) & 31, (w >> 10) & 31, (w >> 16) & 31}
    free = [x for x in range(31) if x not in named]
    if len(free) < 2:
        return
    xa, xw = r.sample(free, 2)
    seq = [0xB9000000 | (xa << 5) | xw,  # STR Wxw, [Xxa]
           0xD50B7B20 | xa,  # DC CVAU, Xxa
           0xD5033B9F,  # DSB ISH
           0xD50B7520 | xa,  # IC IVAU, Xxa
           0xD5033B9F,  # DSB ISH
           0xD5033FDF]  # ISB
    c.words = pre + seq + old.words[:1]
    c.set(xa, CODE_BASE + 4 * (len(c.words) - 1))
    c.set(xw, (r.getrandbits(32) << 32) | new.words[0])
    c.over.update({k: v for k, v in old.over.items() if k not in (xa, xw)})
    c.over.update({k: v for k, v in new.over.items() if k not in (xa, xw)})


def gen_undef_case(c):
    """A random word from the integer and FP/SIMD encoding groups (C4.1: op0 = 100x data
    processing immediate, 101x branches, x1x0 loads/stores, x101 data processing register,
    x111 FP/SIMD data processing), kept only when unicorn takes it as UNDEFINED; the emulator
    must then take an Undefined Instruction exception (EC 0) at it, changing nothing else.
    Left out: the exception-generating group and system instructions (SVC/HVC/SMC depend on the
    configuration; MSR/MRS/SYS cover IMPLEMENTATION DEFINED registers the two models choose
    differently), and SVE (op0 = 0010)."""
    r = c.rng
    while True:
        w = r.getrandbits(32)
        op0 = r.choice([0b1000, 0b1001, 0b1010, 0b1011, 0b0100, 0b0110, 0b1100, 0b1110,
                        0b0101, 0b1101, 0b0111, 0b1111])
        w = (w & ~(0xF << 25)) | (op0 << 25)
        if w >> 24 == 0xD4 or w >> 22 == 0b1101010100:
            continue
        # unicorn 2.0.1 aborts the process (g_assert_not_reached in QEMU's
        # disas_simd_two_reg_misc_fp16) on some unallocated AdvSIMD (scalar) two-register
        # miscellaneous FP16 words, e.g. 0x6ef80a46, instead of taking them as UNDEFINED.
        if (w & 0x9F7E0C00) == 0x0E780800 or (w & 0xDF7E0C00) == 0x5E780800:
            continue
        break
    c.expect_undef = True
    c.words = [w]


def gen_mixed_case(c, nchunks):
    """Chunks from every other class (an LDXR..STXR sequence is one chunk), with forward
    branches between chunks to chunk boundaries. A skipped writeback can leave a later base
    out of the buffer: the reference's access guard rejects those cases."""
    r = c.rng
    chunks = []
    # Not 'system': a branch could skip the MSR that an MRS depends on.
    names = [k for k in CLASSES if CLASSES[k] is not None and k not in ('system', 'fp', 'fp16')]
    while len(chunks) < nchunks:
        before = len(c.words)
        CLASSES[r.choice(names)](c)
        if len(c.words) > before:
            chunks.append(c.words[before:])
    c.words = []
    plan = []  # (is_branch, chunk words)
    for ch in chunks:
        if r.random() < 0.35:
            plan.append((True, None))
        plan.append((False, ch))
    starts = []  # word index of each plan entry
    pos = 0
    for is_br, ch in plan:
        starts.append(pos)
        pos += 1 if is_br else len(ch)
    end = pos
    for j, (is_br, ch) in enumerate(plan):
        if not is_br:
            c.words += ch
            continue
        targets = [starts[q] for q in range(j + 1, len(plan)) if not plan[q][0]] + [end]
        w = branch_word(c, starts[j], r.choice(targets))
        c.words.append(w if w is not None else 0xD503201F)  # NOP


# ---------------------------------------------------------------------------------------------
CLASSES = {
    'addsub_imm': g_addsub_imm,
    'logical_imm': g_logical_imm,
    'movewide': g_movewide,
    'bitfield': g_bitfield,
    'extr': g_extr,
    'adr': g_adr,
    'addsub_shift': g_addsub_shift,
    'addsub_ext': g_addsub_ext,
    'adc': g_adc,
    'logical_reg': g_logical_reg,
    'csel': g_csel,
    'ccmp': g_ccmp,
    'dp1': g_dp1,
    'dp2': g_dp2,
    'dp3': g_dp3,
    'ldst': g_ldst,
    'ldst_pair': g_ldst_pair,
    'exclusive': g_exclusive,
    'atomic': g_atomic,
    'system': g_system,
    'fp': g_fp,
    'fp16': g_fp,
    'branch': None,  # gen_branch_case
    'mixed': None,  # gen_mixed_case
    'loop': None,  # gen_loop_case
    'smc': None,  # gen_smc_case
    'undef': None,  # gen_undef_case
}


# Not in --class all: FEAT_FP16 half-precision arithmetic, which the emulator does not advertise
# (ID_AA64PFR0_EL1.FP = 0), so UNDEFINED is right for it there.
OPTIONAL = {'fp16'}

# Classes whose cases execute fewer instructions (skipped words) or mix everything get more.
CASE_SCALE = {'branch': 2, 'mixed': 2, 'loop': 0.5, 'smc': 0.5, 'undef': 0.5}


def gen_case(cls, rng, seed):
    c = Case(rng)
    c.cls_half = cls == 'fp16'
    c.seed = seed
    c.buf = initial_state(seed)[1]  # the initial buffer, for CAS values that compare equal
    n = rng.randint(1, 8)
    if cls == 'branch':
        gen_branch_case(c, rng.randint(1, 8))
    elif cls == 'mixed':
        gen_mixed_case(c, rng.randint(2, 8))
    elif cls == 'loop':
        gen_loop_case(c)
    elif cls == 'smc':
        gen_smc_case(c)
    elif cls == 'undef':
        gen_undef_case(c)
    else:
        g = CLASSES[cls]
        tries = 0
        while len(c.words) < n and tries < 4 * n:
            g(c)
            tries += 1
    if not c.words or len(c.words) > MAX_WORDS:
        return None
    return c


class Reference:
    """unicorn, one instance reused (recreated after an error)."""

    def __init__(self):
        self.uc = None
        self.count = 0
        self.words = []
        self.bad = None
        self.xregs = [getattr(A, 'UC_ARM64_REG_X%d' % i) for i in range(29)] + [A.UC_ARM64_REG_X29, A.UC_ARM64_REG_X30]
        self.open()

    def open(self):
        uc = Uc(UC_ARCH_ARM64, UC_MODE_ARM)
        uc.ctl_set_cpu_model(A.UC_CPU_ARM64_MAX)  # FEAT_LSE, CRC32
        uc.mem_map(CODE_BASE, RAM_SIZE)

        def hook(_uc, addr, _size, _data):
            self.count += 1
            k = (addr - CODE_BASE) // 4
            if 0 <= k < len(self.words) and self.words[k] & 0x3F20_CC00 == 0x3820_4000:
                self.check_minmax(self.words[k])

        uc.hook_add(UC_HOOK_CODE, hook, begin=CODE_BASE, end=CODE_BASE + 4 * MAX_WORDS)

        # The guard: every data access must be naturally aligned (MMU-off data memory is Device:
        # unaligned accesses fault on the architecture, unicorn does not check) and inside the
        # buffer (or the code, for literal loads). A case that breaks this is rejected.
        def mem(_uc, _access, addr, size, _value, _data):
            inbuf = BUF_BASE <= addr and addr + size <= BUF_BASE + BUF_SIZE
            incode = CODE_BASE <= addr and addr + size <= CODE_BASE + 4 * MAX_WORDS
            if addr % min(size, 8) or not (inbuf or incode):
                self.bad = 'access of %d bytes at 0x%x' % (size, addr)

        uc.hook_add(UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, mem)

        # Exceptions stop the run where they happen (PC = the instruction); 1 is EXCP_UDEF.
        def intr(u, intno, _data):
            self.intno = intno
            u.emu_stop()

        uc.hook_add(UC_HOOK_INTR, intr)
        self.uc = uc

    def check_minmax(self, w):
        """unicorn 2.0.1 (QEMU 5.0's non-parallel TCG atomics) gets LD{S,U}{MAX,MIN} of 8, 16
        and 32 bits wrong: it compares the whole 64-bit Xs instead of its low `size` bits, and
        zero-extends the memory operand of the signed forms (ARM ARM: value = X[s, datasize],
        SInt/UInt of both at datasize). Reject the case when the two could differ: Xs must
        already be the extension of its low bits, and a signed form's memory operand positive."""
        size = w >> 30
        if size == 3:
            return
        bits = 8 << size
        signed = ((w >> 12) & 7) in (4, 5)
        rs, rn = (w >> 16) & 31, (w >> 5) & 31
        xs = 0 if rs == 31 else self.uc.reg_read(self.xregs[rs])
        base = self.uc.reg_read(A.UC_ARM64_REG_SP if rn == 31 else self.xregs[rn])
        low = xs & ((1 << bits) - 1)
        ext = low
        if signed and low >> (bits - 1):
            ext = (low | (M64 << bits)) & M64
        ok = xs == ext
        if signed and ok:
            try:
                mem = int.from_bytes(bytes(self.uc.mem_read(base, bits // 8)), 'little')
                ok = (mem >> (bits - 1)) == 0 and (low >> (bits - 1)) == 0
            except UcError:
                ok = False
        if not ok:
            self.bad = 'unicorn LSE min/max bug (sub-64-bit operand)'

    def survives(self, seed, c):
        """Run the case in a forked child first: unicorn 2.0.1 aborts the whole process (QEMU's
        g_assert_not_reached in the AdvSIMD FP16 decoders, e.g. disas_simd_two_reg_misc_fp16 on
        0x6ef80a46, disas_simd_three_reg_same_fp16 on 0x2ed61f96) on some unallocated words."""
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            try:
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, 1)  # QEMU's assertion message
                os.dup2(null, 2)
                self.run(seed, c)
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        return os.WIFEXITED(status)

    def run(self, seed, c):
        uc = self.uc
        self.words = c.words
        regs, buf = initial_state(seed)
        for k, v in c.over.items():
            regs[k] = v
        code = struct.pack('<%dI' % len(c.words), *c.words)
        uc.mem_write(CODE_BASE, code + bytes(4 * (MAX_WORDS - len(c.words))))
        uc.ctl_remove_cache(CODE_BASE, CODE_BASE + 4 * MAX_WORDS)
        uc.mem_write(BUF_BASE, buf)
        for i in range(31):
            uc.reg_write(self.xregs[i], regs[i])
        uc.reg_write(A.UC_ARM64_REG_SP, regs[31])
        uc.reg_write(A.UC_ARM64_REG_NZCV, c.nzcv << 28)
        vregs = None
        if c.fp:
            vregs = initial_vregs(seed)
            for k, v in c.vover.items():
                vregs[k] = v
            for i in range(32):
                uc.reg_write(A.UC_ARM64_REG_Q0 + i, vregs[i])
            uc.reg_write(A.UC_ARM64_REG_FPCR, c.fpcr)
            uc.reg_write(A.UC_ARM64_REG_FPSR, 0)
        self.count = 0
        self.bad = None
        self.intno = None
        end = CODE_BASE + 4 * len(c.words)
        try:
            uc.emu_start(CODE_BASE, end, count=250)
        except UcError as e:
            self.open()
            return None, str(e)
        if self.bad:
            return None, self.bad
        pc = uc.reg_read(A.UC_ARM64_REG_PC)
        if c.expect_undef:
            if self.intno != 1 or pc != end - 4:
                return None, 'not UNDEFINED' if self.intno is None else 'exception %d' % self.intno
            # The instruction did not execute: the hook counted it, the exception retires nothing.
            self.count -= 1
        elif self.intno is not None:
            return None, 'exception %d at 0x%x' % (self.intno, pc)
        elif pc != end:
            self.open()
            return None, 'stopped at 0x%x' % pc
        final = [uc.reg_read(self.xregs[i]) for i in range(31)] + [uc.reg_read(A.UC_ARM64_REG_SP)]
        nzcv = (uc.reg_read(A.UC_ARM64_REG_NZCV) >> 28) & 0xF
        fbuf = bytes(uc.mem_read(BUF_BASE, BUF_SIZE))
        fpres = None
        if c.fp:
            fpres = (vregs, [uc.reg_read(A.UC_ARM64_REG_Q0 + i) for i in range(32)], uc.reg_read(A.UC_ARM64_REG_FPSR))
        return (regs, buf, final, nzcv, pc, fbuf, self.count, fpres), None


def mem_runs(a, b):
    runs = []
    i, n = 0, len(a)
    while i < n:
        if a[i] != b[i]:
            j = i
            while j < n and j - i < 255 and a[j] != b[j]:
                j += 1
            runs.append((i, b[i:j]))
            i = j
        else:
            i += 1
    return runs


def encode_case(seed, c, res):
    regs, buf, final, nzcv, pc, fbuf, count, fpres = res
    out = bytearray()
    out += struct.pack('<IBB', seed, c.nzcv, len(c.words))
    out += struct.pack('<%dI' % len(c.words), *c.words)
    out += struct.pack('<B', len(c.over))
    for k in sorted(c.over):
        out += struct.pack('<BQ', k, c.over[k])
    changed = [i for i in range(32) if final[i] != regs[i]]
    out += struct.pack('<BBHB', count, nzcv, pc - CODE_BASE, len(changed))
    for i in changed:
        out += struct.pack('<BQ', i, final[i])
    runs = mem_runs(buf, fbuf)
    out += struct.pack('<H', len(runs))
    for off, data in runs:
        out += struct.pack('<HB', off, len(data)) + data
    if c.fp:
        vin, vout, fpsr = fpres
        out += struct.pack('<IB', c.fpcr, len(c.vover))
        for k in sorted(c.vover):
            out += struct.pack('<B', k) + c.vover[k].to_bytes(16, 'little')
        vch = [i for i in range(32) if vout[i] != vin[i]]
        out += struct.pack('<IB', fpsr, len(vch))
        for i in vch:
            out += struct.pack('<B', i) + vout[i].to_bytes(16, 'little')
    return bytes(out)


def generate(cls, ncases, seed, ref):
    rng = random.Random('%s/%d' % (cls, seed))
    body = bytearray()
    made = rejected = insns = 0
    reasons = {}
    while made < ncases:
        cseed = rng.randrange(1, 1 << 32)
        c = gen_case(cls, rng, cseed)
        if c is None:
            continue
        if cls == 'undef' and not ref.survives(cseed, c):
            res, err = None, 'unicorn aborted'
        else:
            res, err = ref.run(cseed, c)
        if res is None:
            rejected += 1
            key = err.split(' at ')[0] if err else '?'
            reasons[key] = reasons.get(key, 0) + 1
            if rejected <= 3:
                print('  %s: reference rejected %s: %s' % (cls, ' '.join('%08x' % w for w in c.words), err), file=sys.stderr)
            continue
        body += encode_case(cseed, c, res)
        made += 1
        insns += res[6]
        if cls in ('fp', 'fp16') and not c.fp:
            raise AssertionError('an FP class case without FP state')
    name = cls.encode()
    header = b'A64V' + struct.pack('<BB', FORMAT_VERSION, len(name)) + name
    flags = (1 if cls in ('fp', 'fp16') else 0) | (2 if cls == 'undef' else 0)
    header += struct.pack('<IIIIB', made, CODE_BASE, BUF_BASE, BUF_SIZE, flags)
    return header + bytes(body), made, insns, rejected, reasons


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--class', dest='cls', default='all', help='a class name, a comma list, or all (%s)' % ', '.join(CLASSES))
    ap.add_argument('--cases', type=int, default=2000, help='cases per class (branch and mixed: twice as many, loop and smc: half)')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--out', default='test/vectors/', help='output directory (one <class>.bin.gz per class)')
    ap.add_argument('--list', action='store_true', help='list the classes and exit')
    a = ap.parse_args()
    if a.list:
        print('\n'.join(CLASSES))
        return 0
    names = [k for k in CLASSES if k not in OPTIONAL] if a.cls == 'all' else a.cls.split(',')
    for n in names:
        if n not in CLASSES:
            ap.error('unknown class %r (try --list)' % n)
    if a.cases < 1:
        ap.error('--cases must be at least 1')
    os.makedirs(a.out, exist_ok=True)
    ref = Reference()
    total_cases = total_insns = 0
    for n in names:
        data, made, insns, rejected, reasons = generate(n, max(1, int(a.cases * CASE_SCALE.get(n, 1))), a.seed, ref)
        path = os.path.join(a.out, n + '.bin.gz')
        with open(path, 'wb') as f:
            f.write(gzip.compress(data, 9, mtime=0))
        total_cases += made
        total_insns += insns
        print('%-13s %6d cases %7d insns executed, %d rejected %s -> %s (%d bytes)' % (
            n, made, insns, rejected, reasons if reasons else '', path, os.path.getsize(path)))
    print('total: %d cases, %d instructions executed' % (total_cases, total_insns))
    return 0


if __name__ == '__main__':
    sys.exit(main())
