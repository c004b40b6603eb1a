// Linux as a VM sees the VM's PMU (src/hyp/vpmu.ts): the kernel finds the `pmu` node of the VM's
// device tree, its armv8_pmuv3 driver probes PMCR_EL0.N (6 counters + the cycle counter) and
// requests PPI 23 (the virtual PPI the hypervisor forwards), and /init counts its own instructions
// with perf_event_open(2) exactly as on the board (test/cpu/pmu-linux.test.ts): the PMU registers
// are the VM's own (MDCR_EL2.TPM/TPMCR = 0, no exits) and its state is switched with the vCPU.
// Skipped without the kernel (scripts/fetch-linux.sh).
import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hypervisor } from '../../src/hyp/hypervisor.js';
import { bootIntoVm } from '../../src/hyp/load.js';
import { LOOP, perfInitramfs } from './pmu-perf-init.js';

const KERNEL = process.env.A64HV_KERNEL ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.cache', 'linux', 'Image');
const have = existsSync(KERNEL);
if (!have) console.log(`pmu-linux-vm: skipped (no kernel at ${KERNEL}; run scripts/fetch-linux.sh)`);

describe.skipIf(!have)('Linux perf in a VM', () => {
  it(
    '"hw perfevents: enabled" with 7 counters; perf_event_open counts the program\'s instructions exactly; no PMU register exits',
    async () => {
      let out = '';
      const hv = new Hypervisor({ vms: [{ ramSize: 128 * 1024 * 1024 }], engine: 'jit', onOutput: (_vm, t) => (out += t) });
      const vm = hv.vms[0];
      await bootIntoVm(hv, vm, KERNEL, { initrd: await perfInitramfs(), append: 'console=ttyAMA0 panic=-1 cryptomgr.notests' });
      hv.run(2_000_000_000);
      expect(vm.stop?.message).toBe('PSCI SYSTEM_OFF');
      expect(out).toContain('hw perfevents: enabled with armv8_pmuv3 PMU driver, 7 counters available');
      expect(out).toContain(`perf instructions: ${2 * LOOP + 7}\r\n`);
      expect(vm.stats.sum('sysreg')).toBe(0);
    },
    900_000,
  );
});
