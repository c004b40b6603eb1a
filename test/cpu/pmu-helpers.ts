// Run a PMU test snippet on the full board: code at RAM, an EL1 vector table 2K in (`vectors:`
// label provided by the snippet or the default one that stops at any exception), `hlt #1` ends.
import { assemble } from '../helpers.js';
import { Machine, type MachineOptions } from '../../src/machine.js';
import { SYS } from '../../src/cpu/sysregs.js';
import type { Cpu } from '../../src/cpu/cpu.js';

export const CODE = 0x4000_0000;

/** A vector table whose every entry stops the machine with `hlt #2` (an unexpected exception). */
export const STOP_VECTORS = `
    .balign 2048
vectors:
${Array.from({ length: 16 }, () => '    hlt #2\n    .balign 128').join('\n')}
`;

export interface PmuRun {
  m: Machine;
  cpu: Cpu;
  /** 'done' (hlt #1), 'exception' (hlt #2 in a vector), or the halt message. */
  end: string;
}

export async function runPmu(
  src: string,
  o: { el?: number; setup?: (m: Machine) => void; maxInsns?: number; machine?: MachineOptions } = {},
): Promise<PmuRun> {
  const full = src.includes('vectors:') ? src : src + STOP_VECTORS;
  const code = await assemble(full, CODE);
  const m = new Machine({ ramSize: 16 * 1024 * 1024, ...o.machine });
  m.bus.load(CODE, code);
  const cpu = m.cpu;
  let end = '';
  cpu.firmware = {
    el2Exception: (c) => c.halt(`EL2 EC=0x${c.excEC.toString(16)}`),
    hlt: (c, imm) => {
      if (imm !== 1 && imm !== 2) return false;
      end = imm === 1 ? 'done' : 'exception';
      c.halt(end, 0);
      return true;
    },
  };
  const vec = full.indexOf('vectors:') >= 0 ? vectorsAddr(code) : 0;
  cpu.setSys(SYS.VBAR_EL1, vec, 0);
  if (o.el !== undefined) cpu.setElSpsel(o.el, o.el === 0 ? 0 : 1);
  o.setup?.(m);
  cpu.pc = BigInt(CODE);
  cpu.run(o.maxInsns ?? 2_000_000);
  return { m, cpu, end: end || cpu.haltReason };
}

/** The vector table is the first 2K-aligned address after the code that holds `hlt #2` or the snippet's table. */
function vectorsAddr(code: Uint8Array): number {
  // The snippets put `vectors:` at the last 2K boundary before the end of the image.
  return CODE + Math.floor((code.length - 1) / 2048) * 2048;
}
