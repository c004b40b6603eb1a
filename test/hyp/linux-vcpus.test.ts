// Debian's kernel as a VM with 2 vCPUs under the hypervisor (one PE, the vCPUs time-sliced):
// the kernel brings vCPU 1 up by PSCI CPU_ON (HVC), nproc and /proc/cpuinfo say 2, work pinned to
// each CPU with taskset runs there (/proc/self/stat field 39) and gives the host's digest, and the
// IPIs went through the trapped GICD_SGIR. As test/loader/linux-busybox-smp.test.ts does on the
// board with --smp 2. Needs .cache/linux/Image and .cache/linux/busybox (skipped otherwise).
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hypervisor } from '../../src/hyp/hypervisor.js';
import { bootIntoVm } from '../../src/hyp/load.js';
import { busyboxInitramfs } from '../loader/linux-initramfs.js';

const CACHE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.cache', 'linux');
const KERNEL = process.env.A64HV_KERNEL ?? join(CACHE, 'Image');
const BUSYBOX = process.env.A64HV_BUSYBOX ?? join(CACHE, 'busybox');
const missing = [KERNEL, BUSYBOX].filter((p) => !existsSync(p));
if (missing.length > 0) console.log(`hyp/linux-vcpus: skipped (missing ${missing.join(', ')}; run scripts/fetch-linux.sh)`);

const N = 2;
const SCRIPT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mkdir -p /tmp /dev
[ -e /dev/null ] || mknod /dev/null c 1 3
echo "nproc: $(nproc)"
echo "cpuinfo: $(grep -c ^processor /proc/cpuinfo)"
seq 1 5000 > /tmp/s
i=0; while [ $i -lt ${N} ]; do
  taskset $((1 << i)) sh -c 'echo "cpu'$i': $(sha256sum < /tmp/s) on $(cut -d" " -f39 /proc/self/stat)"' > /tmp/r$i &
  i=$((i + 1))
done
wait
cat /tmp/r*
echo "ipi: $(grep -c IPI /proc/interrupts)"
poweroff -f
`;

describe.skipIf(missing.length > 0)('Linux as a VM with 2 vCPUs', () => {
  it(
    'PSCI CPU_ON brings vCPU 1 up; nproc and cpuinfo say 2; work pinned to each vCPU runs there with the host digest',
    async () => {
      const initrd = busyboxInitramfs(new Uint8Array(readFileSync(BUSYBOX)), SCRIPT);
      let out = '';
      const hv = new Hypervisor({ vms: [{ ramSize: 128 * 1024 * 1024, vcpus: N }], onOutput: (_vm, t) => (out += t) });
      const vm = hv.vms[0];
      await bootIntoVm(hv, vm, KERNEL, { initrd, append: 'console=ttyAMA0 panic=-1 cryptomgr.notests quiet' });
      const r = hv.run(4_000_000_000);
      const o = out.replace(/\r\n/g, '\n');
      if (process.env.A64HV_SMP_LOG) console.log(o, JSON.stringify(vm.stats.toJSON()), vm.vcpus.map((v) => v.instructions));
      const seq = Array.from({ length: 5000 }, (_, k) => `${k + 1}\n`).join('');
      const sha = createHash('sha256').update(seq).digest('hex');
      expect(o).toContain(`nproc: ${N}\n`);
      expect(o).toContain(`cpuinfo: ${N}\n`);
      for (let i = 0; i < N; i++) expect(o).toContain(`cpu${i}: ${sha}  - on ${i}\n`);
      expect(r.reason).toBe('done');
      expect(vm.stop?.message).toBe('PSCI SYSTEM_OFF');
      expect(vm.vcpus[1].powerOns).toBe(1);
      for (const v of vm.vcpus) expect(v.instructions).toBeGreaterThan(1_000_000);
      // IPIs between the vCPUs: GICD_SGIR trapped and injected.
      expect(vm.stats.get('mmio-write gicd GICD_SGIR')).toBeGreaterThan(0);
    },
    900_000,
  );
});
