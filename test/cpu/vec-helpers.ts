// A test harness with a vector table: each of the 16 VBAR_EL1 entries stops the machine with
// haltReason 'vector 0x<offset>'; `hlt #1` stops with 'done'.
import { runAsm, type RunOpts } from '../helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';
import type { Machine } from '../../src/machine.js';
import type { Firmware } from '../../src/cpu/cpu.js';

export const VBAR = 0x4000_0800;

export interface VecOpts extends RunOpts {
  fw?: Partial<Firmware>;
}

/** Runs `src` (under 2 KiB) with the stopping vector table at VBAR_EL1 = 0x40000800. */
export async function runVec(src: string, opts: VecOpts = {}): Promise<Machine> {
  let table = '\n.balign 0x800\n';
  for (let k = 0; k < 16; k++) table += `.balign 0x80\nhlt #${0x100 + k}\n`;
  return runAsm(src + table, {
    ...opts,
    setup: (m) => {
      m.cpu.setSys(SYS.VBAR_EL1, VBAR, 0);
      m.cpu.firmware = {
        el2Exception: (c) => c.halt(`EL2 EC 0x${c.excEC.toString(16)}`),
        hlt: (c, imm) => {
          if (imm === 1) c.halt('done', 0);
          else if (imm >= 0x100) c.halt(`vector 0x${((imm - 0x100) * 0x80).toString(16)}`);
          else return false;
          return true;
        },
        ...opts.fw,
      };
      opts.setup?.(m);
    },
  });
}
