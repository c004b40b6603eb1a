// End to end: Debian's arm64 kernel as a VM under the hypervisor, running Debian's static busybox
// as /init: a shell with fork/exec and pipes, a sleep (the VM idles in WFI until its virtual timer
// interrupt), and a line typed on the console after the shell asks for it (the trapped PL011
// raises its RX interrupt, SPI 33, through the virtual distributor and a list register). Needs
// .cache/linux/Image and .cache/linux/busybox (scripts/fetch-linux.sh) or A64HV_KERNEL and
// A64HV_BUSYBOX; otherwise skipped with the reason.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { Hypervisor } from '../../src/hyp/hypervisor.js';
import { bootIntoVm } from '../../src/hyp/load.js';
import { busyboxInitramfs } from '../loader/linux-initramfs.js';

const CACHE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.cache', 'linux');
const KERNEL = process.env.A64HV_KERNEL ?? join(CACHE, 'Image');
const BUSYBOX = process.env.A64HV_BUSYBOX ?? join(CACHE, 'busybox');
const missing = [KERNEL, BUSYBOX].filter((f) => !existsSync(f));
if (missing.length > 0) console.log(`hyp/linux-busybox: skipped (missing ${missing.join(', ')}; run scripts/fetch-linux.sh)`);

const SCRIPT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
echo "pipe: $(echo a64hv | tr a-z A-Z | rev)"
echo "md5: $(echo two-stage translation | md5sum)"
sleep 1; echo "slept"
echo "type a line:"
read line
echo "got: $line"
echo "uart: $(grep -c uart-pl011 /proc/interrupts)"
poweroff -f
`;

describe.skipIf(missing.length > 0)('Linux with a busybox shell as a VM', () => {
  it(
    'shell, pipes, sleep in WFI, and console input by the virtual UART\'s RX interrupt',
    async () => {
      const initrd = busyboxInitramfs(new Uint8Array(readFileSync(BUSYBOX)), SCRIPT);
      let out = '';
      let typed = false;
      const hv = new Hypervisor({
        vms: [{ ramSize: 128 * 1024 * 1024 }],
        onOutput: (vm, t) => {
          out += t;
          // Typed once the shell asks: the driver drains its receive FIFO when the console opens,
          // so input given before that would be lost, as on hardware.
          if (!typed && out.includes('type a line:')) {
            typed = true;
            vm.uart.feed('hello from the host\n');
          }
        },
      });
      const vm = hv.vms[0];
      await bootIntoVm(hv, vm, KERNEL, { initrd, append: 'console=ttyAMA0 panic=-1 cryptomgr.notests quiet' });
      const r = hv.run(3_000_000_000);
      const o = out.replace(/\r\n/g, '\n');
      const md5 = createHash('md5').update('two-stage translation\n').digest('hex');
      expect(o).toContain('pipe: VH46A\n');
      expect(o).toContain(`md5: ${md5}  -\n`);
      expect(o).toContain('slept\n');
      expect(o).toContain('got: hello from the host\n');
      expect(o).toContain('uart: 1\n');
      expect(r.reason).toBe('done');
      expect(vm.stop?.message).toBe('PSCI SYSTEM_OFF');
      expect(vm.stats.get('wfi')).toBeGreaterThan(0);
      expect(hv.cpu.idleCycles).toBeGreaterThan(0);
      // The line went through the trapped receiver, and its interrupt through the list registers.
      expect(vm.stats.get('mmio-read pl011 UARTDR')).toBeGreaterThanOrEqual('hello from the host\n'.length);
      expect(vm.stats.get('irq maintenance')).toBeGreaterThan(0);
    },
    600_000,
  );
});
