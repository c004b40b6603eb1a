// Shared test harness: assemble an A64 snippet with keystone, run it on a fresh machine, inspect.
// A snippet ends at `hlt #0x1` (the harness's firmware stops the machine there); any other
// exception entry goes through VBAR_EL1 as usual.
import { Keystone, Const, loadKeystone } from 'keystone-wasm';
import { Machine } from '../src/machine.js';
import type { Cpu } from '../src/cpu/cpu.js';

export const CODE_BASE = 0x4000_0000;
let ks: Keystone | null = null;

export async function assemble(src: string, address = CODE_BASE): Promise<Uint8Array> {
  if (ks === null) {
    await loadKeystone();
    ks = new Keystone(Const.KS_ARCH_ARM64, Const.KS_MODE_LITTLE_ENDIAN);
  }
  const out = ks.asm(src, { address });
  if (out.length === 0) throw new Error(`keystone produced nothing for:\n${src}`);
  return out;
}

export interface RunOpts {
  /** Initial X registers by number (31 = SP). */
  x?: Record<number, bigint>;
  nzcv?: number;
  el?: number;
  maxInsns?: number;
  /** Extra setup before running (memory, sysregs). */
  setup?: (m: Machine) => void;
}

/** Assemble, load at CODE_BASE, run until `hlt #0x1` (or maxInsns). */
export async function runAsm(src: string, opts: RunOpts = {}): Promise<Machine> {
  const code = await assemble(src);
  const m = new Machine();
  m.bus.load(CODE_BASE, code);
  const cpu = m.cpu;
  cpu.firmware = {
    el2Exception: (c) => c.halt(`unexpected EL2 exception EC=0x${c.excEC.toString(16)}`),
    hlt: (c, imm) => {
      if (imm !== 1) return false;
      c.halt('done', 0);
      return true;
    },
  };
  if (opts.el !== undefined) cpu.setElSpsel(opts.el, opts.el === 0 ? 0 : 1);
  for (const [k, v] of Object.entries(opts.x ?? {})) cpu.writeX(Number(k) === 31 ? 32 : Number(k), v);
  if (opts.nzcv !== undefined) cpu.nzcv = opts.nzcv;
  opts.setup?.(m);
  cpu.pc = BigInt(CODE_BASE);
  cpu.run(opts.maxInsns ?? 1_000_000);
  return m;
}

/** X register as an unsigned bigint (31 = SP). */
export function X(cpu: Cpu, n: number): bigint {
  return cpu.readX(n === 31 ? 32 : n);
}
