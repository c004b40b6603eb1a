// End to end, issue 11: Linux as the SMMU's first real client. Debian's arm64 kernel boots on the
// board through the CLI (`a64hv run Image --initrd --append --drive disk,readonly [--iommu smmuv3]
// --stats-json`) to a busybox /init that insmods virtio_mmio, virtio_blk, mtd and romfs from the
// same Debian package (Debian 6.1 builds ARM_SMMU_V3 in and those as modules), reads a raw region
// of /dev/vda with dd and a file of the romfs mounted from it, and prints their sha256, which must
// equal the host's digests of the same deterministic bytes (linux-disk.ts). With --iommu smmuv3
// the kernel's arm-smmu-v3 driver probes the SMMU, the virtio-mmio device is in an IOMMU group and
// every DMA of the disk is translated by the SMMU through the stage-1 tables of the DMA domain;
// the SMMU statistics are non-trivial, consistent with the DMA counts, and identical in a second
// run of the same boot. Without --iommu the same disk reads give the same digests.
// Needs .cache/linux/{Image,busybox,modules/} (scripts/fetch-linux.sh) or A64HV_KERNEL,
// A64HV_BUSYBOX and A64HV_MODULES (a directory with modules.load and the .ko files for that
// kernel); otherwise skipped with the reason.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { main } from '../../src/cli.js';
import type { SmmuStats } from '../../src/smmu/smmu.js';
import type { DmaStats } from '../../src/devices/dma-port.js';
import { diskInitramfs, testDisk } from './linux-disk.js';

const CACHE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.cache', 'linux');
const KERNEL = process.env.A64HV_KERNEL ?? join(CACHE, 'Image');
const BUSYBOX = process.env.A64HV_BUSYBOX ?? join(CACHE, 'busybox');
const MODULES = process.env.A64HV_MODULES ?? join(CACHE, 'modules');
const missing = [KERNEL, BUSYBOX, join(MODULES, 'modules.load')].filter((f) => !existsSync(f));
if (missing.length > 0) console.log(`linux-smmu: skipped (missing ${missing.join(', ')}; run scripts/fetch-linux.sh)`);

const APPEND = 'console=ttyAMA0 panic=-1 cryptomgr.notests quiet';
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** The parts of the --stats-json document (src/cli.ts) this test reads. */
interface StatsJson {
  instructions: number;
  cycles: number;
  wallMs: number;
  mips: number;
  exitReason: string;
  dma: Record<string, { port: DmaStats }>;
  smmu?: SmmuStats;
}

interface Boot {
  code: number;
  out: string;
  err: string;
  stats: StatsJson;
}

let dir = '';
let disk = '';
let initrd = '';
let digests = { raw: '', file: '' };

beforeAll(() => {
  if (missing.length > 0) return;
  dir = mkdtempSync(join(tmpdir(), 'a64hv-linux-smmu-'));
  const d = testDisk();
  disk = join(dir, 'disk.img');
  writeFileSync(disk, d.image);
  digests = { raw: sha256(d.raw), file: sha256(d.payload) };
  const order = readFileSync(join(MODULES, 'modules.load'), 'utf8').split('\n').filter((l) => l !== '');
  const mods = order.map((name) => ({ name, data: new Uint8Array(readFileSync(join(MODULES, `${name}.ko`))) }));
  initrd = join(dir, 'initrd.cpio');
  writeFileSync(initrd, diskInitramfs(new Uint8Array(readFileSync(BUSYBOX)), mods));
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** One boot through the CLI; the guest's console (CR LF made LF) and the --stats-json document. */
async function boot(name: string, iommu: boolean): Promise<Boot> {
  const json = join(dir, `${name}.json`);
  let out = '';
  let err = '';
  const argv = ['run', KERNEL, '--initrd', initrd, '--append', APPEND, '--drive', `${disk},readonly`, '--max-insns', '3000000000', '--stats-json', json, '-q'];
  if (iommu) argv.push('--iommu', 'smmuv3');
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  const stats = (existsSync(json) ? JSON.parse(readFileSync(json, 'utf8')) : {}) as StatsJson;
  return { code, out: out.replace(/\r\n/g, '\n'), err, stats };
}

/** What every boot must show: the modules loaded, the disk's raw region and the romfs file read with the host's digests. */
function expectDiskRead(b: Boot): void {
  expect(b.err).toBe('');
  expect(b.out).not.toContain('insmod-failed');
  expect(b.out).toContain('vda-sectors: 4096\n');
  expect(b.out).toContain(`raw: ${digests.raw}  -\n`);
  expect(b.out).toContain('mounted: hello.txt payload.bin \n');
  expect(b.out).toContain('hello: romfs on virtio-blk, read by Linux on a64hv\n');
  expect(b.out).toContain(`file: ${digests.file}  /mnt/payload.bin\n`);
  expect(b.out).toContain('done\n');
  expect(b.code).toBe(0);
  expect(b.stats.exitReason).toBe('halt');
}

/** The virtio-blk drive's DMA port counters. */
function blkPort(s: StatsJson): DmaStats {
  const key = Object.keys(s.dma).find((k) => k.startsWith('virtio-blk'));
  expect(key).toBeDefined();
  return s.dma[key!].port;
}

/** The figures that must repeat exactly: everything but host time. */
function modelled(s: StatsJson): unknown {
  const { wallMs, mips, ...rest } = s;
  void wallMs;
  void mips;
  return rest;
}

describe.skipIf(missing.length > 0)('Linux reads a virtio-blk disk, through the SMMUv3 and without it', () => {
  let smmuBoot: Boot | null = null;
  let plainBoot: Boot | null = null;

  it(
    'with --iommu smmuv3: arm-smmu-v3 probes, vda is in an IOMMU group, the digests match, every DMA is translated',
    async () => {
      const b = await boot('smmu', true);
      smmuBoot = b;
      expectDiskRead(b);
      // The driver found our SMMU (Linux prints the input/output address sizes it read from IDR5/IDR0)
      // and put the virtio-mmio transport (StreamID 0 in the DT's iommus) in a group.
      expect(b.out).toMatch(/^dmesg: arm-smmu-v3 9050000\.smmuv3: ias \d+-bit, oas \d+-bit/m);
      expect(b.out).toMatch(/^dmesg: virtio-mmio a000000\.virtio_mmio: Adding to iommu group \d+$/m);
      expect(b.out).toMatch(/^iommu-group: \d+ a000000\.virtio_mmio$/m);
      expect(b.stats.smmu).toBeDefined();
      const s = b.stats.smmu!;
      const port = blkPort(b.stats);
      // The guest read at least the raw region and the file by DMA (the device writes RAM).
      expect(port.bytesWritten).toBeGreaterThanOrEqual(1024 * 1024 + 512 * 1024);
      expect(port.aborts).toBe(0);
      // Every transaction went through the SMMU: at least one translation per transaction (one per page touched).
      expect(s.translations).toBeGreaterThanOrEqual(port.reads + port.writes);
      expect(s.bypassed).toBe(0);
      expect(s.aborted).toBe(0);
      expect(s.events).toBe(0);
      // The STE for StreamID 0 and its CD were fetched (the configuration cache kept them after that,
      // until a CFGI command); the stage-1 DMA domain's tables were walked on IOTLB misses.
      expect(s.config.steFetches).toBeGreaterThanOrEqual(1);
      expect(s.config.cdFetches).toBeGreaterThanOrEqual(1);
      expect(s.iotlb.lookups).toBe(s.translations);
      expect(s.iotlb.hits + s.iotlb.misses).toBe(s.iotlb.lookups);
      expect(s.iotlb.hits).toBeGreaterThan(0);
      expect(s.iotlb.misses).toBeGreaterThan(0);
      expect(s.walks.s1Walks).toBe(s.iotlb.misses);
      expect(s.walks.s2Walks).toBe(0);
      expect(s.walks.s1Faults).toBe(0);
      // Strict invalidation (Debian's default): each unmap is a TLBI then a CMD_SYNC.
      expect(s.syncs).toBeGreaterThan(0);
      expect(s.commands).toBeGreaterThan(s.syncs);
      // By kind: the driver installs STEs (CFGI_STE or CFGI_ALL as a range) and invalidates by VA
      // at each unmap (strict mode), each followed by a CMD_SYNC.
      const k = s.commandsByKind;
      expect(k.SYNC).toBe(s.syncs);
      expect((k.CFGI_STE ?? 0) + (k.CFGI_STE_RANGE ?? 0)).toBeGreaterThan(0);
      expect(k.TLBI_NH_VA).toBeGreaterThan(0);
      expect(Object.values(k).reduce((a: number, b) => a + (b as number), 0)).toBe(s.commands);
      expect(s.commandErrors).toBe(0);
      // One translation context: the DMA domain's ASID at VMID 0.
      expect(s.contexts.length).toBe(1);
      expect(s.contexts[0].lookups).toBe(s.translations);
    },
    600_000,
  );

  it(
    'without --iommu: the same reads, the same digests, no IOMMU group, no SMMU',
    async () => {
      const b = await boot('plain', false);
      plainBoot = b;
      expectDiskRead(b);
      expect(b.out).toContain('iommu-group: none\n');
      expect(b.out).not.toContain('arm-smmu-v3');
      expect(b.stats.smmu).toBeUndefined();
      const port = blkPort(b.stats);
      expect(port.bytesWritten).toBeGreaterThanOrEqual(1024 * 1024 + 512 * 1024);
      expect(port.aborts).toBe(0);
    },
    600_000,
  );

  it(
    'the SMMU boot is deterministic: a second run gives the same console, instructions, cycles, DMA and SMMU statistics',
    async () => {
      expect(smmuBoot).not.toBeNull();
      const b = await boot('smmu-again', true);
      expect(b.out).toBe(smmuBoot!.out);
      expect(modelled(b.stats)).toEqual(modelled(smmuBoot!.stats));
      // The cost of the SMMU on this boot, for the record (host time is not checked).
      if (plainBoot !== null) {
        const p = plainBoot.stats;
        const s = smmuBoot!.stats;
        const pct = (a: number, z: number): string => `${(((a - z) / z) * 100).toFixed(2)}%`;
        console.log(
          `linux-smmu: instructions ${s.instructions} vs ${p.instructions} (${pct(s.instructions, p.instructions)}), ` +
            `cycles ${s.cycles} vs ${p.cycles} (${pct(s.cycles, p.cycles)}), host ms ${s.wallMs} vs ${p.wallMs}; ` +
            `IOTLB hit rate ${((s.smmu!.iotlb.hits / s.smmu!.iotlb.lookups) * 100).toFixed(1)}%`,
        );
      }
    },
    600_000,
  );
});
