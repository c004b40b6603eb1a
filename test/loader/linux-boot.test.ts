// End to end: a real arm64 Linux kernel boots on the board to a tiny /init that prints a line and
// powers off (PSCI SYSTEM_OFF). The kernel is not in the repository: the test runs when
// A64HV_KERNEL names an arm64 Image (raw or gzip) or scripts/fetch-linux.sh has put Debian's at
// .cache/linux/Image; otherwise it is skipped with the reason printed.
// cryptomgr.notests skips the crypto self-tests (two thirds of the boot, mostly in a multi-
// precision multiply-subtract loop, lib/mpi-style): about 0.27 billion instructions instead of 0.86 (Debian 6.1,
// 128 MiB), 13-18 s.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine, type RunResult } from '../../src/machine.js';
import { mmuOf } from '../../src/mmu/translate.js';
import { loadLinux } from '../../src/loader/linux.js';
import { buildInitramfs, INIT_MESSAGE } from './linux-initramfs.js';
import { virtBoardDtb } from '../../src/loader/virt-dt.js';

const KERNEL = process.env.A64HV_KERNEL ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.cache', 'linux', 'Image');
const have = existsSync(KERNEL);
if (!have) console.log(`linux-boot: skipped (no kernel at ${KERNEL}; run scripts/fetch-linux.sh or set A64HV_KERNEL to an arm64 Image)`);

/** Boot to /init under `engine`; the figures both engines must agree on. */
async function boot(engine: 'interp' | 'jit'): Promise<{ r: RunResult; m: Machine; figures: unknown }> {
  const m = new Machine({ ramSize: 128 * 1024 * 1024, semihosting: false, engine });
  const initrd = await buildInitramfs();
  const b = loadLinux(m.bus, new Uint8Array(readFileSync(KERNEL)), 'kernel', { initrd, append: 'console=ttyAMA0 panic=-1 cryptomgr.notests' }, (c) =>
    virtBoardDtb({ ramBase: m.bus.ramBase, ramSize: m.bus.ramSize }, c),
  );
  m.noteLoaded(b.end);
  m.boot(BigInt(b.entry));
  m.cpu.writeX(0, BigInt(b.dtb));
  const r = m.run(2_000_000_000);
  const c = m.cpu;
  const figures = { instret: c.instret, cycles: c.cycles, interrupts: c.interruptsTaken, pc: c.pc, x: c.readX(0), tlb: mmuOf(c).tlb.snapshot(), output: m.output };
  return { r, m, figures };
}

describe.skipIf(!have)('Linux boot', () => {
  let interp: unknown = null;
  it(
    'boots to /init: console on the PL011, initrd from /chosen, PSCI SYSTEM_OFF at the end',
    async () => {
      const { r, m, figures } = await boot('interp');
      interp = figures;
      expect(m.output).toContain('Machine model:');
      expect(m.output).toContain('Kernel command line: console=ttyAMA0 panic=-1 cryptomgr.notests');
      expect(m.output).toContain('Run /init as init process');
      // Through the tty: ONLCR turns the program's \n into \r\n.
      expect(m.output).toContain(INIT_MESSAGE + '\r\n');
      expect(r.reason).toBe('halt');
      expect(r.message).toBe('PSCI SYSTEM_OFF');
    },
    600_000,
  );
  it(
    'the translating engine boots it with identical instructions, cycles, interrupts, TLB statistics and output',
    async () => {
      const { r, figures } = await boot('jit');
      expect(r.message).toBe('PSCI SYSTEM_OFF');
      expect(interp).not.toBeNull();
      expect(figures).toEqual(interp);
    },
    300_000,
  );
});
