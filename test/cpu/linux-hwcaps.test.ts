// End to end: Debian's arm64 kernel on `--cpu max` reads the ID registers and reports the
// extensions as HWCAPs in /proc/cpuinfo (arch/arm64 cpufeature names: aes pmull sha1 sha2 sha3
// sha512 asimdrdm asimddp asimdfhm jscvt fcma flagm flagm2 frint paca pacg bti sm3 sm4 ...), and
// not the features we do not implement (i8mm, bf16, sve). Then a shell pipeline in user space (busybox
// sha256sum: the kernel may use the extensions too). One boot (about a minute of host time): the
// a57 side, ID registers without these fields, is test/cpu/profile.test.ts.
// Needs .cache/linux/Image and .cache/linux/busybox (scripts/fetch-linux.sh); otherwise skipped.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { Machine } from '../../src/machine.js';
import { loadLinux } from '../../src/loader/linux.js';
import { virtBoardDtb } from '../../src/loader/virt-dt.js';
import { busyboxInitramfs } from '../loader/linux-initramfs.js';

const CACHE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.cache', 'linux');
const KERNEL = process.env.A64HV_KERNEL ?? join(CACHE, 'Image');
const BUSYBOX = process.env.A64HV_BUSYBOX ?? join(CACHE, 'busybox');
const missing = [KERNEL, BUSYBOX].filter((f) => !existsSync(f));
if (missing.length > 0) console.log(`linux-hwcaps: skipped (missing ${missing.join(', ')}; run scripts/fetch-linux.sh)`);

const SCRIPT = `#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
echo "features:$(/bin/busybox grep -m1 ^Features /proc/cpuinfo | /bin/busybox cut -d: -f2)"
echo "sha256: $(/bin/busybox seq 1 5000 | /bin/busybox sha256sum)"
/bin/busybox poweroff -f
`;

async function boot(cpu: string): Promise<string> {
  const initrd = busyboxInitramfs(new Uint8Array(readFileSync(BUSYBOX)), SCRIPT);
  const m = new Machine({ cpu, ramSize: 128 * 1024 * 1024, semihosting: false });
  const b = loadLinux(m.bus, new Uint8Array(readFileSync(KERNEL)), 'kernel', { initrd, append: 'console=ttyAMA0 panic=-1 cryptomgr.notests quiet' }, (c) =>
    virtBoardDtb({ ramBase: m.bus.ramBase, ramSize: m.bus.ramSize }, c),
  );
  m.noteLoaded(b.end);
  m.boot(BigInt(b.entry));
  m.cpu.writeX(0, BigInt(b.dtb));
  // in slices, yielding to the event loop between them (vitest's worker must stay responsive)
  let r = m.run(50_000_000);
  for (let n = 1; r.reason === 'limit' && n < 60; n++) {
    await new Promise((res) => setImmediate(res));
    r = m.run(50_000_000);
  }
  expect(r.message).toBe('PSCI SYSTEM_OFF');
  return m.output.replace(/\r\n/g, '\n');
}
const features = (out: string): string[] => (/^features:(.*)$/m.exec(out)?.[1] ?? '').trim().split(/\s+/);
const NEW = ['aes', 'pmull', 'sha1', 'sha2', 'sha3', 'sha512', 'asimdrdm', 'asimddp', 'asimdfhm', 'jscvt', 'fcma', 'flagm', 'flagm2', 'frint', 'paca', 'pacg', 'bti', 'sm3', 'sm4', 'ilrcpc', 'uscat'];
const ABSENT = ['i8mm', 'bf16', 'sve'];

describe.skipIf(missing.length > 0)('Linux HWCAPs', () => {
  it(
    '--cpu max: /proc/cpuinfo lists every new extension and none we lack; user space runs',
    async () => {
      const seq = Array.from({ length: 5000 }, (_, k) => `${k + 1}\n`).join('');
      const sha = createHash('sha256').update(seq).digest('hex');
      const max = await boot('max');
      const fm = features(max);
      console.log(`linux-hwcaps: Features:${fm.join(" ")}`);
      for (const f of NEW) expect(fm, f).toContain(f);
      for (const f of ABSENT) expect(fm, f).not.toContain(f);
      expect(fm).toContain('atomics');
      expect(fm).toContain('crc32');
      expect(max).toContain(`sha256: ${sha}  -\n`);
    },
    900_000, // [pauth] the boot took 277 s of wall time at load average 20 on this shared machine
  );
});
