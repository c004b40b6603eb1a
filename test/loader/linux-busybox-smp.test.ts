// Debian's kernel and busybox on the board with 2 PEs: nproc and /proc/cpuinfo agree, work pinned
// to each CPU with taskset gives the host's digests, and both PEs retired instructions in user
// space and kernel. Needs .cache/linux/Image and .cache/linux/busybox (skipped otherwise).
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine } from '../../src/machine.js';
import { loadLinux } from '../../src/loader/linux.js';
import { virtBoardDtb } from '../../src/loader/virt-dt.js';
import { busyboxInitramfs } from './linux-initramfs.js';

const CACHE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.cache', 'linux');
const KERNEL = process.env.A64HV_KERNEL ?? join(CACHE, 'Image');
const BUSYBOX = process.env.A64HV_BUSYBOX ?? join(CACHE, 'busybox');
const missing = [KERNEL, BUSYBOX].filter((p) => !existsSync(p));

const SCRIPT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mkdir -p /tmp /dev
[ -e /dev/null ] || mknod /dev/null c 1 3
echo "nproc: $(nproc)"
echo "cpuinfo: $(grep -c ^processor /proc/cpuinfo)"
seq 1 5000 > /tmp/s
taskset 1 sh -c 'echo "cpu0: $(sha256sum < /tmp/s) on $(cut -d" " -f39 /proc/self/stat)" > /tmp/a' &
taskset 2 sh -c 'echo "cpu1: $(sha256sum < /tmp/s) on $(cut -d" " -f39 /proc/self/stat)" > /tmp/b' &
wait
cat /tmp/a /tmp/b
echo "ipi: $(grep -c IPI /proc/interrupts)"
poweroff -f
`;

describe.skipIf(missing.length > 0)('Linux with 2 PEs to a busybox shell', () => {
  it(
    'nproc = 2, cpuinfo agrees, work pinned to each CPU gives the host digest',
    async () => {
      const initrd = busyboxInitramfs(new Uint8Array(readFileSync(BUSYBOX)), SCRIPT);
      const m = new Machine({ ramSize: 128 * 1024 * 1024, semihosting: false, smp: 2 });
      const b = loadLinux(m.bus, new Uint8Array(readFileSync(KERNEL)), 'kernel', { initrd, append: 'console=ttyAMA0 panic=-1 cryptomgr.notests quiet' }, (c) =>
        virtBoardDtb({ ramBase: m.bus.ramBase, ramSize: m.bus.ramSize, cpus: 2 }, c),
      );
      m.noteLoaded(b.end);
      m.boot(BigInt(b.entry));
      m.cpu.writeX(0, BigInt(b.dtb));
      const r = m.run(4_000_000_000);
      const out = m.output.replace(/\r\n/g, '\n');
      if (process.env.A64HV_SMP_LOG) console.log(out);
      const seq = Array.from({ length: 5000 }, (_, k) => `${k + 1}\n`).join('');
      const sha = createHash('sha256').update(seq).digest('hex');
      expect(out).toContain('nproc: 2\n');
      expect(out).toContain('cpuinfo: 2\n');
      // The digest, computed on the CPU the work was pinned to (/proc/self/stat field 39).
      expect(out).toContain(`cpu0: ${sha}  - on 0\n`);
      expect(out).toContain(`cpu1: ${sha}  - on 1\n`);
      expect(r.reason).toBe('halt');
      expect(m.pes[1].instret).toBeGreaterThan(1_000_000);
      expect(m.pes[1].interruptsTaken).toBeGreaterThan(0);
    },
    900_000,
  );
});
