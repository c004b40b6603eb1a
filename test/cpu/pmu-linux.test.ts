// Linux's view of the PMU: Debian's kernel probes it from the device tree node, and a program in
// the initramfs counts its own instructions with perf_event_open(2) (the kernel's armv8_pmuv3
// driver programs our PMU), printing the count. The model is deterministic, so the count is exact.
// Skipped without the kernel (scripts/fetch-linux.sh), like test/loader/linux-boot.test.ts.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine } from '../../src/machine.js';
import { loadLinux } from '../../src/loader/linux.js';
import { virtBoardDtb } from '../../src/loader/virt-dt.js';
import { LOOP, perfInitramfs } from './pmu-perf-init.js';

const KERNEL = process.env.A64HV_KERNEL ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.cache', 'linux', 'Image');
const have = existsSync(KERNEL);

describe.skipIf(!have)('Linux perf on the PMU', () => {
  it(
    'the kernel enables armv8_pmuv3 with 7 counters; perf_event_open counts the program\'s own instructions exactly',
    async () => {
      const m = new Machine({ ramSize: 128 * 1024 * 1024, semihosting: false, engine: 'jit' });
      const initrd = await perfInitramfs();
      const b = loadLinux(m.bus, new Uint8Array(readFileSync(KERNEL)), 'kernel', { initrd, append: 'console=ttyAMA0 panic=-1 cryptomgr.notests' }, (c) =>
        virtBoardDtb({ ramBase: m.bus.ramBase, ramSize: m.bus.ramSize }, c),
      );
      m.noteLoaded(b.end);
      m.boot(BigInt(b.entry));
      m.cpu.writeX(0, BigInt(b.dtb));
      const r = m.run(2_000_000_000);
      expect(r.message).toBe('PSCI SYSTEM_OFF');
      expect(m.output).toContain('hw perfevents: enabled with armv8_pmuv3 PMU driver, 7 counters available');
      expect(m.output).toContain(`perf instructions: ${2 * LOOP + 7}\r\n`);
    },
    900_000,
  );
});
