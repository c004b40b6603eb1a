// End to end: Debian's arm64 kernel boots on the board to Debian's static busybox, whose shell runs
// a script of user-space work: fork/exec, pipes, /proc, a sleep (idle in WFI until the timer
// interrupt), md5sum and sha256sum over data it generates. The digests are checked against the
// host's own computation of the same bytes. Needs .cache/linux/Image and .cache/linux/busybox
// (scripts/fetch-linux.sh) or A64HV_KERNEL and A64HV_BUSYBOX; otherwise skipped with the reason.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { Machine } from '../../src/machine.js';
import { loadLinux } from '../../src/loader/linux.js';
import { virtBoardDtb } from '../../src/loader/virt-dt.js';
import { busyboxInitramfs } from './linux-initramfs.js';

const CACHE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.cache', 'linux');
const KERNEL = process.env.A64HV_KERNEL ?? join(CACHE, 'Image');
const BUSYBOX = process.env.A64HV_BUSYBOX ?? join(CACHE, 'busybox');
const missing = [KERNEL, BUSYBOX].filter((f) => !existsSync(f));
if (missing.length > 0) console.log(`linux-busybox: skipped (missing ${missing.join(', ')}; run scripts/fetch-linux.sh)`);

const SCRIPT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mkdir -p /tmp /sys
mount -t sysfs sys /sys
echo "uname: $(uname -m) $(uname -s)"
echo "arith: $((6*7)) $((0x7fffffff * 3)) $((-17 / 5)) $((-17 % 5))"
echo "pipe: $(echo a64hv | tr a-z A-Z | rev)"
echo "cpus: $(grep -c ^processor /proc/cpuinfo)"
n=0; for i in 1 2 3 4 5 6 7 8 9 10; do n=$((n + $(echo $i))); done; echo "subshells: $n"
echo "md5: $(echo two-stage translation | md5sum)"
seq 1 20000 > /tmp/s; echo "sha256: $(sha256sum /tmp/s)"
echo "sort: $(seq 1 300 | sort -rn | head -3 | tr '\\n' ' ')"
sleep 1; echo "slept"
echo "timer: $(grep -c arch_timer /proc/interrupts)"
echo "rtc: $(cat /sys/class/rtc/rtc0/name), year $(date +%Y)"
poweroff -f
`;

describe.skipIf(missing.length > 0)('Linux boot to a busybox shell', () => {
  it(
    'runs a shell script in user space: fork/exec, pipes, /proc, sleep, digests equal to the host\'s',
    async () => {
      const initrd = busyboxInitramfs(new Uint8Array(readFileSync(BUSYBOX)), SCRIPT);
      const m = new Machine({ ramSize: 128 * 1024 * 1024, semihosting: false });
      const b = loadLinux(m.bus, new Uint8Array(readFileSync(KERNEL)), 'kernel', { initrd, append: 'console=ttyAMA0 panic=-1 cryptomgr.notests quiet' }, (c) =>
        virtBoardDtb({ ramBase: m.bus.ramBase, ramSize: m.bus.ramSize }, c),
      );
      m.noteLoaded(b.end);
      m.boot(BigInt(b.entry));
      m.cpu.writeX(0, BigInt(b.dtb));
      const r = m.run(3_000_000_000);
      const out = m.output.replace(/\r\n/g, '\n');
      const md5 = createHash('md5').update('two-stage translation\n').digest('hex');
      const seq = Array.from({ length: 20000 }, (_, k) => `${k + 1}\n`).join('');
      const sha = createHash('sha256').update(seq).digest('hex');
      expect(out).toContain('uname: aarch64 Linux\n');
      expect(out).toContain(`arith: 42 ${0x7fffffff * 3} -3 -2\n`);
      expect(out).toContain('pipe: VH46A\n');
      expect(out).toContain('cpus: 1\n');
      expect(out).toContain('subshells: 55\n');
      expect(out).toContain(`md5: ${md5}  -\n`);
      expect(out).toContain(`sha256: ${sha}  /tmp/s\n`);
      expect(out).toContain('sort: 300 299 298 \n');
      expect(out).toContain('slept\n');
      expect(out).toContain('timer: 1\n');
      // The board's PL031 counts modelled time from 1970: the kernel set its clock from it.
      expect(out).toContain('rtc: rtc-pl031 9010000.pl031, year 1970\n');
      expect(r.reason).toBe('halt');
      expect(r.message).toBe('PSCI SYSTEM_OFF');
      // The second of sleep passed in modelled time, mostly asleep in WFI.
      expect(m.cpu.idleCycles).toBeGreaterThan(0);
    },
    600_000,
  );
});
