// Debian's Linux as a VM with the board's virtio-blk assigned to it (--hyp-config "drives" and
// "assignVirtio"): the transport is mapped by stage 2 at the board's address, the device's DMA goes
// through the SMMU by the VM's stage 2 (the hypervisor's STE), its interrupt is forwarded through
// the vGIC. The guest's virtio_mmio/virtio_blk (from the same Debian package, insmod by the
// busybox /init of test/loader/linux-disk.ts) read the raw region and a romfs file with the
// host's digests; the VM has no SMMU of its own (no IOMMU group). Needs .cache/linux/{Image,
// busybox,modules/} (scripts/fetch-linux.sh); otherwise skipped with the reason. ~1 min.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { main } from '../../src/cli.js';
import { diskInitramfs, testDisk } from '../loader/linux-disk.js';

const CACHE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.cache', 'linux');
const KERNEL = process.env.A64HV_KERNEL ?? join(CACHE, 'Image');
const BUSYBOX = process.env.A64HV_BUSYBOX ?? join(CACHE, 'busybox');
const MODULES = process.env.A64HV_MODULES ?? join(CACHE, 'modules');
const missing = [KERNEL, BUSYBOX, join(MODULES, 'modules.load')].filter((f) => !existsSync(f));
if (missing.length > 0) console.log(`linux-dma: skipped (missing ${missing.join(', ')}; run scripts/fetch-linux.sh)`);
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

let dir = '';
let digests = { raw: '', file: '' };
beforeAll(() => {
  if (missing.length > 0) return;
  dir = mkdtempSync(join(tmpdir(), 'a64hv-linux-dma-'));
  const d = testDisk();
  writeFileSync(join(dir, 'disk.img'), d.image);
  digests = { raw: sha256(d.raw), file: sha256(d.payload) };
  const order = readFileSync(join(MODULES, 'modules.load'), 'utf8').split('\n').filter((l) => l !== '');
  const mods = order.map((name) => ({ name, data: new Uint8Array(readFileSync(join(MODULES, `${name}.ko`))) }));
  writeFileSync(join(dir, 'initrd.cpio'), diskInitramfs(new Uint8Array(readFileSync(BUSYBOX)), mods));
  writeFileSync(
    join(dir, 'm.json'),
    JSON.stringify({
      drives: [{ path: 'disk.img', readonly: true }],
      assignVirtio: { vm: 0, slot: 0 },
      vms: [{ name: 'linux', initrd: 'initrd.cpio', append: 'console=ttyAMA0 panic=-1 cryptomgr.notests quiet' }],
    }),
  );
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing.length > 0)('Linux as a VM with an assigned virtio-blk disk', () => {
  it(
    'reads the disk through the hypervisor\'s stage-2 STE with the host\'s digests; no device exits, no SMMU events',
    async () => {
      let out = '';
      let err = '';
      const json = join(dir, 's.json');
      const code = await main(['run', KERNEL, '--hyp', '--hyp-config', join(dir, 'm.json'), '--max-insns', '3000000000', '--stats-json', json, '-q'], {
        stdout: { write: (s: string) => (out += s) },
        stderr: { write: (s: string) => (err += s) },
      });
      out = out.replace(/\r\n/g, '\n');
      expect(err).toBe('');
      expect(code).toBe(0);
      expect(out).not.toContain('insmod-failed');
      expect(out).toContain('vda-sectors: 4096\n');
      expect(out).toContain('iommu-group: none\n'); // the VM has no SMMU: its DMA addresses are IPAs
      expect(out).toContain(`raw: ${digests.raw}  -\n`);
      expect(out).toContain('hello: romfs on virtio-blk, read by Linux on a64hv\n');
      expect(out).toContain(`file: ${digests.file}  /mnt/payload.bin\n`);
      const s = JSON.parse(readFileSync(json, 'utf8'));
      const vm = s.hyp.vms[0];
      expect(vm.dmaEvents).toBe(0);
      expect(s.hyp.smmu.streams['0x0']).toEqual({ config: 'stage2', vmid: 1, owner: 'linux' });
      expect(s.hyp.smmu.events).toEqual({});
      // The transport's registers cost no exit; its interrupts were forwarded.
      expect(Object.keys(vm.exits.byCause).filter((k) => k.startsWith('mmio') && k.includes('virtio'))).toEqual([]);
      expect(vm.exits.byCause['irq virtio-0']).toBeGreaterThan(0);
      expect(vm.assigned.find((a: { name: string }) => a.name === 'virtio-0').exits).toBe(0);
    },
    600_000,
  );
});
