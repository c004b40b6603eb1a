// Run an assembled snippet on the full board (PL011, PSCI over HVC, semihosting) from the boot state.
import { Machine, type MachineOptions, type RunResult } from '../../src/machine.js';
import { assembleSource } from '../../src/loader/asm.js';

export async function runBoard(src: string, opts: MachineOptions & { maxInsns?: number; setup?: (m: Machine) => void } = {}): Promise<{ m: Machine; r: RunResult }> {
  const img = await assembleSource(src, 'test.S');
  const m = new Machine(opts);
  m.bus.load(Number(img.base), img.code);
  m.noteLoaded(Number(img.base) + img.code.length);
  m.boot(img.entry);
  opts.setup?.(m);
  const r = m.run(opts.maxInsns ?? 100_000);
  return { m, r };
}

/** movz/movk sequence loading a 32-bit constant into register `x`. */
export function mov32(x: string, v: number): string {
  return `movz ${x}, #0x${(v & 0xffff).toString(16)}\nmovk ${x}, #0x${((v >>> 16) & 0xffff).toString(16)}, lsl #16`;
}
