// Registers by name for the embedding API: X0..X30 / W0..W30, SP, PC, NZCV, V0..V31 (Q, as 128-bit
// values), FPCR, FPSR, and every system register by its ARM ARM name (SCTLR_EL1, VTTBR_EL2...).
// Values are bigint at this boundary (off the hot path); the register file stays int32 pairs.
import { SP } from '../cpu/state.js';
import { sysByName } from '../cpu/sysregs.js';
import type { Cpu } from '../cpu/cpu.js';
import { ApiError } from './errors.js';

const M32 = 0xffff_ffffn;
const M64 = (1n << 64n) - 1n;

/** The register names accepted besides the system registers (for messages). */
/** System registers by upper-case name (the ARM ARM spells a few in mixed case: CurrentEL). */
const SYS_UPPER = new Map([...sysByName.values()].map((d) => [d.name.toUpperCase(), d]));

const KNOWN = 'x0..x30, w0..w30, sp, pc, nzcv, v0..v31 (q0..q31), fpcr, fpsr, or a system register name (e.g. SCTLR_EL1)';

function pair(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function checkValue(name: string, v: bigint, bits: number): void {
  if (typeof v !== 'bigint') throw new ApiError(`register ${name}: the value must be a bigint (e.g. 0x1234n), not ${typeof v}`);
  if (v < 0n || v >= 1n << BigInt(bits)) throw new ApiError(`register ${name}: ${v} does not fit in ${bits} bits (unsigned)`);
}

/** Read a register by name (case-insensitive). */
export function readReg(cpu: Cpu, name: string): bigint {
  const n = name.toLowerCase();
  let m = /^([xw])(\d+)$/.exec(n);
  if (m !== null && Number(m[2]) <= 30) {
    const v = cpu.readX(Number(m[2]));
    return m[1] === 'w' ? v & M32 : v;
  }
  if (n === 'sp') return cpu.readX(SP);
  if (n === 'pc') return cpu.pc;
  if (n === 'nzcv') return BigInt(cpu.nzcv) << 28n; // as MRS NZCV reads it (bits [31:28])
  if (n === 'fpcr') return BigInt(cpu.fpcr >>> 0);
  if (n === 'fpsr') return BigInt(cpu.fpsr >>> 0);
  m = /^[vq](\d+)$/.exec(n);
  if (m !== null && Number(m[1]) <= 31) {
    const k = 4 * Number(m[1]);
    const w = cpu.vr;
    return (pair(w[k + 2], w[k + 3]) << 64n) | pair(w[k], w[k + 1]);
  }
  const d = SYS_UPPER.get(name.toUpperCase());
  if (d === undefined) throw new ApiError(`unknown register '${name}' (known: ${KNOWN})`);
  if (d.read !== undefined) {
    // Accessor registers compute their value (PSTATE fields, counters, virtualised IDs).
    const t = cpu.tmpHi;
    const lo = d.read(cpu);
    const v = pair(lo, cpu.tmpHi);
    cpu.tmpHi = t;
    return v;
  }
  return cpu.sys64(d.slot);
}

/**
 * Write a register by name. W registers zero the upper half (as a W write does). System
 * registers are written as MSR would (their write hook or writable-bit mask, then the side
 * effect), and the CPU forgets its translation and interrupt caches so the change takes effect.
 */
export function writeReg(cpu: Cpu, name: string, v: bigint): void {
  const n = name.toLowerCase();
  let m = /^([xw])(\d+)$/.exec(n);
  if (m !== null && Number(m[2]) <= 30) {
    checkValue(name, v, m[1] === 'w' ? 32 : 64);
    cpu.writeX(Number(m[2]), v);
    return;
  }
  if (n === 'sp') {
    checkValue(name, v, 64);
    cpu.writeX(SP, v);
    return;
  }
  if (n === 'pc') {
    checkValue(name, v, 64);
    cpu.pc = v;
    cpu.gen++; // block chains must not follow the old PC
    return;
  }
  if (n === 'nzcv') {
    checkValue(name, v, 32);
    cpu.nzcv = Number(v >> 28n) & 0xf;
    return;
  }
  if (n === 'fpcr' || n === 'fpsr') {
    checkValue(name, v, 32);
    if (n === 'fpcr') cpu.fpcr = Number(v) | 0;
    else cpu.fpsr = Number(v) | 0;
    return;
  }
  m = /^[vq](\d+)$/.exec(n);
  if (m !== null && Number(m[1]) <= 31) {
    checkValue(name, v, 128);
    const k = 4 * Number(m[1]);
    for (let i = 0; i < 4; i++) cpu.vr[k + i] = Number((v >> BigInt(32 * i)) & M32) | 0;
    return;
  }
  const d = SYS_UPPER.get(name.toUpperCase());
  if (d === undefined) throw new ApiError(`unknown register '${name}' (known: ${KNOWN})`);
  checkValue(name, v, 64);
  if (d.ro === true) throw new ApiError(`register ${d.name} is read-only`);
  const lo = Number(v & M32) | 0;
  const hi = Number((v >> 32n) & M32) | 0;
  if (d.write !== undefined) d.write(cpu, lo, hi);
  else if (d.wmask !== undefined) {
    // As MSR: bits outside the writable mask keep their value.
    const [mlo, mhi] = d.wmask;
    cpu.setSys(d.slot, (cpu.sysLo(d.slot) & ~mlo) | (lo & mlo), (cpu.sysHi(d.slot) & ~mhi) | (hi & mhi));
  } else cpu.setSys(d.slot, lo, hi);
  if (d.after !== undefined) d.after(cpu);
  // An MSR ends its block; from outside, drop what may depend on the old value.
  cpu.status = 0;
  cpu.contextChanged();
  cpu.interruptsChanged();
  cpu.timer.changed();
}

export { M64 };
