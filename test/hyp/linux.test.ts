// End to end: a real arm64 Linux kernel boots as a VM under the hypervisor to a tiny /init that
// prints a line and powers off (PSCI SYSTEM_OFF, an HVC the hypervisor answers). The kernel sees
// the VM's device tree: its console is the PL011 emulated by trap, its GIC distributor is trapped
// and its GIC CPU interface is the GICV frame mapped by stage 2 (no exits). The kernel is not in
// the repository: the test runs when A64HV_KERNEL names an arm64 Image (raw or gzip) or
// scripts/fetch-linux.sh has put Debian's at .cache/linux/Image; otherwise it is skipped with the
// reason printed. About 0.28 G instructions (Debian 6.1, 128 MiB, cryptomgr.notests), 11-15 s.
import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hypervisor } from '../../src/hyp/hypervisor.js';
import { bootIntoVm } from '../../src/hyp/load.js';
import { buildInitramfs, INIT_MESSAGE } from '../loader/linux-initramfs.js';

const KERNEL = process.env.A64HV_KERNEL ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.cache', 'linux', 'Image');
const have = existsSync(KERNEL);
if (!have) console.log(`hyp/linux: skipped (no kernel at ${KERNEL}; run scripts/fetch-linux.sh or set A64HV_KERNEL to an arm64 Image)`);

const APPEND = 'console=ttyAMA0 panic=-1 cryptomgr.notests';

describe.skipIf(!have)('Linux as a VM', () => {
  it(
    'boots to /init: console on the trapped PL011, GICD trapped, GICV with no exits, PSCI SYSTEM_OFF',
    async () => {
      let out = '';
      const hv = new Hypervisor({ vms: [{ ramSize: 128 * 1024 * 1024 }], onOutput: (_vm, t) => (out += t) });
      const vm = hv.vms[0];
      const b = await bootIntoVm(hv, vm, KERNEL, { initrd: await buildInitramfs(), append: APPEND });
      expect(b.kind).toBe('linux');
      const r = hv.run(1_000_000_000);
      expect(out).toContain('Machine model: linux,dummy-virt');
      expect(out).toContain(`Kernel command line: ${APPEND}`);
      expect(out).toContain('arch_timer: cp15 timer(s) running at 62.50MHz (virt).');
      expect(out).toContain('Run /init as init process');
      // Through the tty: ONLCR turns the program's \n into \r\n.
      expect(out).toContain(INIT_MESSAGE + '\r\n');
      expect(r.reason).toBe('done');
      expect(vm.stop).toEqual({ kind: 'halt', code: 0, message: 'PSCI SYSTEM_OFF' });

      const causes = [...vm.stats.byCause.keys()];
      const n = (re: RegExp): number => [...vm.stats.byCause].filter(([c]) => re.test(c)).reduce((a, [, k]) => a + k, 0);
      // Every console byte is a trapped UARTDR write.
      expect(n(/^mmio-write pl011 UARTDR$/)).toBeGreaterThan(out.length * 0.9);
      expect(causes.some((c) => c.startsWith('mmio-write gicd GICD_'))).toBe(true);
      expect(causes.some((c) => c.startsWith('mmio-read gicd GICD_'))).toBe(true);
      // The virtual timer's interrupt went through the list registers and was completed through GICV.
      expect(n(/^irq cntv$/)).toBeGreaterThan(10);
      expect(n(/^hvc psci$/)).toBeGreaterThan(0);
      const gicv = vm.assigned.find((a) => a.name === 'gicv')!;
      expect(gicv.accesses!()).toBeGreaterThan(100);
      expect(causes.some((c) => /gicv|gicc/i.test(c))).toBe(false);
      // Nothing the hypervisor could not handle.
      expect(causes.filter((c) => /isolation|unsupported|undef|unexpected|spurious/.test(c))).toEqual([]);
    },
    600_000,
  );
});
