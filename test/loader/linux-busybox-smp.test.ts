// Debian's kernel and busybox on the board with N PEs: nproc and /proc/cpuinfo agree, work pinned
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

const script = (n: number): string => `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mkdir -p /tmp /dev
[ -e /dev/null ] || mknod /dev/null c 1 3
echo "nproc: $(nproc)"
echo "cpuinfo: $(grep -c ^processor /proc/cpuinfo)"
seq 1 5000 > /tmp/s
i=0; while [ $i -lt ${n} ]; do
  taskset $((1 << i)) sh -c 'echo "cpu'$i': $(sha256sum < /tmp/s) on $(cut -d" " -f39 /proc/self/stat)"' > /tmp/r$i &
  i=$((i + 1))
done
wait
cat /tmp/r*
echo "ipi: $(grep -c IPI /proc/interrupts)"
poweroff -f
`;

describe.skipIf(missing.length > 0)('Linux with several PEs to a busybox shell', () => {
  // A64HV_SMP_N picks the PE counts (default 2; the proof also ran 4: A64HV_SMP_N=2,4).
  const counts = (process.env.A64HV_SMP_N ?? '2').split(',').map(Number);
  it.each(counts)(
    '%i PEs: nproc and cpuinfo agree, work pinned to each CPU runs there and gives the host digest',
    async (n) => {
      const initrd = busyboxInitramfs(new Uint8Array(readFileSync(BUSYBOX)), script(n));
      const m = new Machine({ ramSize: 128 * 1024 * 1024, semihosting: false, smp: n });
      const b = loadLinux(m.bus, new Uint8Array(readFileSync(KERNEL)), 'kernel', { initrd, append: 'console=ttyAMA0 panic=-1 cryptomgr.notests quiet' }, (c) =>
        virtBoardDtb({ ramBase: m.bus.ramBase, ramSize: m.bus.ramSize, cpus: n }, c),
      );
      m.noteLoaded(b.end);
      m.boot(BigInt(b.entry));
      m.cpu.writeX(0, BigInt(b.dtb));
      const r = m.run(4_000_000_000);
      const out = m.output.replace(/\r\n/g, '\n');
      if (process.env.A64HV_SMP_LOG) console.log(out);
      const seq = Array.from({ length: 5000 }, (_, k) => `${k + 1}\n`).join('');
      const sha = createHash('sha256').update(seq).digest('hex');
      expect(out).toContain(`nproc: ${n}\n`);
      expect(out).toContain(`cpuinfo: ${n}\n`);
      // The digest, computed on the CPU the work was pinned to (/proc/self/stat field 39).
      for (let i = 0; i < n; i++) expect(out).toContain(`cpu${i}: ${sha}  - on ${i}\n`);
      expect(r.reason).toBe('halt');
      for (const p of m.pes.slice(1)) {
        expect(p.instret).toBeGreaterThan(1_000_000);
        expect(p.interruptsTaken).toBeGreaterThan(0);
      }
    },
    900_000,
  );
});
