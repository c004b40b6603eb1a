// The CPU side of --log: `int`, `mmu` and `unimp` from the exception-entry hook (Cpu.excObservers, one
// null test per exception taken, none per instruction), `exec` and `in-asm` from the
// per-instruction tracer hook (which runs the interpreter: the JIT steps aside while it is set,
// with the same counts).
import type { Cpu, ExcObserver } from '../cpu/cpu.js';
import type { Insn } from '../cpu/decode.js';
import { VEC_SYNC, VEC_IRQ, VEC_FIQ } from '../cpu/exceptions.js';
import { faultKind } from '../mmu/faults.js';
import type { Logger } from './logger.js';

/** ESR_ELx.EC names (ARM ARM D17.2.37, "Exception Class"); others print as hex only. */
const EC_NAMES: Record<number, string> = {
  0x00: 'unknown reason',
  0x01: 'WFI/WFE',
  0x07: 'SVE/SIMD/FP access',
  0x0e: 'illegal execution state',
  0x15: 'SVC',
  0x16: 'HVC',
  0x17: 'SMC',
  0x18: 'MSR/MRS/system instruction',
  0x19: 'SVE access',
  0x20: 'instruction abort from a lower EL',
  0x21: 'instruction abort',
  0x22: 'PC alignment',
  0x24: 'data abort from a lower EL',
  0x25: 'data abort',
  0x26: 'SP alignment',
  0x2c: 'FP exception',
  0x2f: 'SError',
  0x30: 'breakpoint from a lower EL',
  0x31: 'breakpoint',
  0x32: 'software step from a lower EL',
  0x33: 'software step',
  0x34: 'watchpoint from a lower EL',
  0x35: 'watchpoint',
  0x3c: 'BRK',
};

const h64 = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
const hx = (v: bigint | number): string => '0x' + v.toString(16);

export function ecName(ec: number): string {
  return EC_NAMES[ec] ?? 'EC ' + hx(ec);
}

/** The data/instruction abort classes (EC 0x20, 0x21, 0x24, 0x25): ISS[5:0] is the fault status code. */
const isAbort = (ec: number): boolean => (ec & ~0x5) === 0x20;

/**
 * The exception-entry hook for `int`, `mmu` and `unimp`. Called before the entry, so the CPU
 * still shows the EL it came from and the syndrome the entry will write (excEC/excISS/FAR).
 */
export function exceptionLogger(log: Logger): ExcObserver | null {
  const int = log.has('int');
  const mmu = log.has('mmu');
  const unimp = log.has('unimp');
  if (!int && !mmu && !unimp) return null;
  return (cpu, vecKind, targetEl, retLo, retHi) => {
    const pc = h64(retLo, retHi);
    const sync = vecKind === VEC_SYNC;
    const ec = cpu.excEC;
    const far = sync && cpu.excFarValid ? h64(cpu.excFarLo, cpu.excFarHi) : null;
    if (!log.wants(pc, ...(far !== null ? [far] : []))) return;
    // ELR: the preferred return address (the faulting instruction for aborts and UNDEFINED, the next one for SVC/HVC).
    const where = `EL${cpu.el} -> EL${targetEl}, ELR ${hx(pc)}`;
    if (int) {
      const kind = sync ? 'sync' : vecKind === VEC_IRQ ? 'IRQ' : vecKind === VEC_FIQ ? 'FIQ' : 'SError';
      const esr = sync ? `: EC ${hx(ec)} (${ecName(ec)}) ISS ${hx(cpu.excISS & 0x1ffffff)}${far !== null ? ` FAR ${hx(far)}` : ''}` : '';
      log.line('int', `${kind} ${where}${esr}`);
    }
    if (mmu && sync && isAbort(ec)) {
      // ISS for aborts (D17.2.37): [5:0] FSC, [6] WnR (data only), [7] S1PTW.
      const iss = cpu.excISS;
      const what = ec >= 0x24 ? `data abort (${iss & 0x40 ? 'write' : 'read'})` : 'instruction abort';
      const walk = iss & 0x80 ? ' on a stage-1 table walk (stage 2)' : '';
      // An abort taken to EL2 from a lower EL is a stage-2 fault (or S1PTW): HPFAR_EL2 will hold
      // its IPA (D17.2.59), set by the MMU in excIpa before the entry.
      const ipa = targetEl === 2 && (ec === 0x20 || ec === 0x24) ? `, stage 2, IPA ${hx(h64(cpu.excIpaLo, cpu.excIpaHi))}` : '';
      log.line('mmu', `${what} ${where}: ${faultKind(iss & 0x3f)}${walk}${far !== null ? `, FAR ${hx(far)}` : ''}${ipa}`);
    }
    if (unimp && sync && ec === 0) log.line('unimp', `UNDEFINED instruction ${where}`);
  };
}

export type TraceHook = (cpu: Cpu, pcLo: number, pcHi: number, ins: Insn) => void;

/**
 * The per-instruction hook for `exec` (a line at each block start: the first instruction, and any
 * instruction not at the previous one's PC + 4) and `in-asm` (disassembly of each PC the first time
 * it executes; the set of PCs seen is forgotten after a million, so memory stays bounded).
 */
export function instructionLogger(log: Logger, disasm: (pc: bigint, raw: number) => string, symbol: (pc: bigint) => string): TraceHook | null {
  const exec = log.has('exec');
  const inAsm = log.has('in-asm');
  if (!exec && !inAsm) return null;
  let next = -1n;
  const seen = new Set<bigint>();
  return (_cpu, pcLo, pcHi, ins) => {
    const pc = h64(pcLo, pcHi);
    const start = pc !== next;
    next = pc + 4n;
    if (!log.wants(pc)) return;
    const sym = symbol(pc);
    const at = `${pc.toString(16).padStart(16, '0')}${sym ? ` <${sym}>` : ''}`;
    if (exec && start) log.line('exec', at);
    if (inAsm && !seen.has(pc)) {
      if (seen.size >= 1 << 20) seen.clear();
      seen.add(pc);
      log.line('in-asm', `${at}: ${disasm(pc, ins.raw)}`);
    }
  };
}

/** Run two tracer hooks (--trace and --log exec/in-asm) as one. */
export function bothHooks(a: TraceHook | null, b: TraceHook | null): TraceHook | null {
  if (a === null) return b;
  if (b === null) return a;
  return (cpu, lo, hi, ins) => {
    a(cpu, lo, hi, ins);
    b(cpu, lo, hi, ins);
  };
}
