// Debian's arm64 kernel on the board with --smp 2: PSCI CPU_ON brings the secondary up, and the
// kernel reports both CPUs (skipped without a kernel, as linux-boot.test.ts).
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine } from '../../src/machine.js';
import { loadLinux } from '../../src/loader/linux.js';
import { virtBoardDtb } from '../../src/loader/virt-dt.js';
import { buildInitramfs, INIT_MESSAGE } from './linux-initramfs.js';

const KERNEL = process.env.A64HV_KERNEL ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.cache', 'linux', 'Image');
const have = existsSync(KERNEL);

describe.skipIf(!have)('Linux boot, 2 PEs', () => {
  it(
    'brings up the secondary CPU with PSCI CPU_ON and runs /init',
    async () => {
      const m = new Machine({ ramSize: 128 * 1024 * 1024, semihosting: false, smp: 2 });
      const initrd = await buildInitramfs();
      const b = loadLinux(m.bus, new Uint8Array(readFileSync(KERNEL)), 'kernel', { initrd, append: 'console=ttyAMA0 panic=-1 cryptomgr.notests' }, (c) =>
        virtBoardDtb({ ramBase: m.bus.ramBase, ramSize: m.bus.ramSize, cpus: 2 }, c),
      );
      m.noteLoaded(b.end);
      m.boot(BigInt(b.entry));
      m.cpu.writeX(0, BigInt(b.dtb));
      const r = m.run(3_000_000_000);
      if (process.env.A64HV_SMP_LOG) console.log(m.output);
      expect(m.output).toMatch(/Brought up 1 node, 2 CPUs/);
      expect(m.output).toContain(INIT_MESSAGE + '\r\n');
      expect(r.reason).toBe('halt');
      expect(m.pes[1].instret).toBeGreaterThan(0);
    },
    600_000,
  );
});
