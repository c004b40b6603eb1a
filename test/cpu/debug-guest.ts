// A harness for the self-hosted debug tests: a keystone guest with a real vector table whose
// synchronous handler records ELR/ESR/FAR/SPSR of every exception and returns, as the exception
// handlers of kvm-unit-tests' arm/debug.c do (what they check, not their code). Registers x10-x14
// and x20-x23 belong to the handler; test bodies use x0-x9.
//   x20: record pointer (REC), x21: bits ORed into SPSR_EL1 on return from a debug exception
//   (EC 0x30..0x35: e.g. PSTATE.D or PSTATE.SS), x22: count, x23 != 0: clear MDSCR_EL1 in the handler.
// An UNDEFINED instruction (EC 0) is skipped (ELR += 4). More than 40 exceptions stop the guest.
import { assemble, CODE_BASE } from '../helpers.js';
import { Machine } from '../../src/machine.js';
import type { Firmware } from '../../src/cpu/cpu.js';

export const REC = 0x4010_0000;
export const WDATA = 0x4020_0000;

export interface DebugRec {
  elr: bigint;
  esr: bigint;
  far: bigint;
  spsr: bigint;
  ec: number;
}

/** movz/movk lines loading a 64-bit constant. */
export function movImm(reg: string, v: bigint | number): string {
  const x = BigInt(v);
  const lines = [`movz ${reg}, #${Number(x & 0xffffn)}`];
  for (let s = 16n; s < 64n; s += 16n) {
    const part = Number((x >> s) & 0xffffn);
    if (part !== 0) lines.push(`movk ${reg}, #${part}, lsl #${s}`);
  }
  return lines.join('\n');
}

const HANDLER = `
handler:
  mrs x10, elr_el1
  mrs x11, esr_el1
  mrs x12, far_el1
  mrs x13, spsr_el1
  stp x10, x11, [x20], #16
  stp x12, x13, [x20], #16
  add x22, x22, #1
  cmp x22, #40
  b.hs toomany
  lsr x14, x11, #26
  cbnz x14, h_1
  add x10, x10, #4
  msr elr_el1, x10
h_1:
  cmp x14, #0x30
  b.lo h_2
  cmp x14, #0x35
  b.hi h_2
  orr x13, x13, x21
  msr spsr_el1, x13
h_2:
  cbz x23, h_3
  msr mdscr_el1, xzr
h_3:
  eret
toomany:
  hlt #3
`;

function vectors(): string {
  let t = '\n.balign 0x800\nvectors:\n';
  for (let k = 0; k < 16; k++) {
    // Synchronous entries (current EL SP0/SPx, lower EL AArch64) go to the handler.
    t += `.balign 0x80\n${k === 0 || k === 4 || k === 8 ? 'b handler' : `hlt #${0x200 + k}`}\n`;
  }
  return t;
}

export interface GuestOpts {
  /** Leave the OS lock as reset left it (set): no OSLAR_EL1 write in the prologue. */
  keepOsLock?: boolean;
  orSpsr?: bigint;
  clearMdscr?: boolean;
  engine?: 'interp' | 'jit';
  setup?: (m: Machine) => void;
  maxInsns?: number;
  fw?: Partial<Firmware>;
}

export interface GuestRun {
  m: Machine;
  recs: DebugRec[];
}

/** The guest's source: prologue + body + `end` (default `hlt #1`) + handler + vectors. */
export function debugGuestSource(body: string, o: GuestOpts = {}, end = 'hlt #1'): string {
  return [
    'adr x0, vectors',
    'msr vbar_el1, x0',
    movImm('x20', REC),
    movImm('x21', o.orSpsr ?? 0n),
    'mov x22, #0',
    `mov x23, #${o.clearMdscr ? 1 : 0}`,
    o.keepOsLock ? '' : 'msr oslar_el1, xzr',
    'isb',
    body,
    end,
    HANDLER,
    vectors(),
  ].join('\n');
}

/** Assemble debugGuestSource; run; decode the records. */
export async function runDebugGuest(body: string, o: GuestOpts = {}): Promise<GuestRun> {
  const code = await assemble(debugGuestSource(body, o));
  const m = new Machine();
  m.bus.load(CODE_BASE, code);
  const cpu = m.cpu;
  if (o.engine !== undefined) cpu.engine = o.engine;
  cpu.firmware = {
    el2Exception: (c) => c.halt(`EL2 EC 0x${c.excEC.toString(16)} ISS 0x${(c.excISS >>> 0).toString(16)}`),
    hlt: (c, imm) => {
      if (imm === 1) c.halt('done', 0);
      else if (imm === 3) c.halt('too many exceptions');
      else if (imm >= 0x200) c.halt(`vector 0x${((imm - 0x200) * 0x80).toString(16)}`);
      else return false;
      return true;
    },
    ...o.fw,
  };
  o.setup?.(m);
  cpu.pc = BigInt(CODE_BASE);
  cpu.run(o.maxInsns ?? 2_000_000);
  return { m, recs: readRecs(m) };
}

/** The handler's records (x22 of them at REC). */
export function readRecs(m: Machine): DebugRec[] {
  const n = Number(m.cpu.readX(22));
  const recs: DebugRec[] = [];
  const dv = m.bus.dv;
  const base = REC - m.bus.ramBase;
  for (let i = 0; i < Math.min(n, 40); i++) {
    const q = (k: number): bigint => dv.getBigUint64(base + 32 * i + 8 * k, true);
    const esr = q(1);
    recs.push({ elr: q(0), esr, far: q(2), spsr: q(3), ec: Number(esr >> 26n) });
  }
  return recs;
}

/** ESR value: EC, IL = 1, ISS. */
export const esrOf = (ec: number, iss: number): bigint => (BigInt(ec) << 26n) | (1n << 25n) | BigInt(iss);
