// The hypervisor as the SMMU's second client: the DMA engine assigned to a VM, its StreamID
// translated by the VM's own stage 2 (iommu.ts), against the same scenarios with the SMMU in
// bypass. Memory is checked from the test, byte for byte: with the SMMU nothing leaks and nothing
// changes; in bypass the copy lands at the wrong physical page and another VM's data is read
// and overwritten.
import { describe, it, expect } from 'vitest';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDmaScenario, runVirtioScenario, DMA_GUEST, DMA_VICTIM, DMA_EVIL, VIRTIO_BLK_GUEST } from '../../src/hyp/dma-scenario.js';
import { HYP_SMMU_BASE, type Hypervisor } from '../../src/hyp/hypervisor.js';
import type { SmmuEvent } from '../../src/hyp/iommu.js';
import { STREAM_ID } from '../../src/machine.js';
import { main } from '../../src/cli.js';

const SID = STREAM_ID.DMA_ENGINE;
const bytes = (hv: Hypervisor, pa: number, n: number): Uint8Array => hv.machine.bus.readBytes(pa, n);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
let hv0: Hypervisor | null = null;
const SECRET = 'VM0 SECRET: the launch code is 0451; nobody else may read this.';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

describe('DMA isolation: the engine assigned to a VM, the SMMU on its stage 2', () => {
  it('copy: the guest programs IPAs with no exit, the bytes land where the VM put them', async () => {
    const events: SmmuEvent[] = [];
    const hv = await runDmaScenario('copy', 'stage2', { onSmmuEvent: (_vm, e) => events.push(e) });
    const vm = hv.vms[0];
    expect(vm.output).toContain('dma: engine at IPA 0x0a100000, DMA_ID 0x31414d44');
    expect(vm.output).toContain('STATUS 0x00000002 ERROR 0x00000000');
    expect(vm.output).toContain('dma: copy ok');
    // From the outside: IPA 0x4020_0000 (the VM's RAM at +2 MiB) holds IPA 0x4000_1000's bytes.
    const src = bytes(hv, vm.ramPa + 0x1000, 256);
    expect(text(src)).toMatch(/^The quick brown fox/);
    expect(bytes(hv, vm.ramPa + 0x20_0000, 256)).toEqual(src);
    // Hypervisor memory at the same numbers as PAs is untouched.
    expect(bytes(hv, 0x4020_0000, 256).every((b) => b === 0)).toBe(true);
    expect(events).toEqual([]);
    // The engine's registers are mapped by stage 2: programming it cost no exit.
    expect(vm.stats.sum('mmio-read dma') + vm.stats.sum('mmio-write dma') + vm.stats.sum('isolation')).toBe(0);
    expect(hv.machine.dma!.stats.transfers).toBe(2);
  });

  it("the engine's interrupt is forwarded to the owning VM through its virtual GIC, and resampled at the guest's EOI", async () => {
    const hv = await runDmaScenario('copy', 'stage2');
    const vm = hv.vms[0];
    expect(vm.output).toContain('with IRQ_EN: interrupt INTID 0x0000002c, STATUS 0x00000002\ndma: copy ok');
    expect(bytes(hv, vm.ramPa + 0x20_1000, 256)).toEqual(bytes(hv, vm.ramPa + 0x1000, 256));
    // Taken at EL2 once (then masked), injected once, the guest's EOI raised the maintenance
    // interrupt, at which the physical line was low again: unmasked (GICD_ISENABLER1 bit 12).
    expect(vm.stats.get('irq dma-engine')).toBe(1);
    expect(vm.stats.get('irq maintenance')).toBeGreaterThanOrEqual(1);
    expect(vm.vgic!.injected).toBe(1);
    expect((hv.gic.distributor.read(0x104, 4) >>> 12) & 1).toBe(1);
    expect((hv.gic.distributor.read(0x204, 4) >>> 12) & 1).toBe(0);
    expect(vm.vgic!.dist.isPending(44)).toBe(false);
  });

  it('the STE is the architecture\'s layout, from the VM\'s VTTBR_EL2/VTCR_EL2 (IHI 0070 5.2)', async () => {
    const hv = await runDmaScenario('copy', 'stage2');
    const vm = hv.vms[0];
    const smmu = hv.iommu!;
    const ste = smmu.steAddr(SID);
    const w = (k: number): number => hv.machine.bus.read(ste + 4 * k, 4) >>> 0;
    expect(ste).toBe(HYP_SMMU_BASE + SID * 64);
    expect(w(0) & 1).toBe(1); // V
    expect((w(0) >>> 1) & 7).toBe(0b110); // Config: stage 2 only
    expect(w(4) & 0xffff).toBe(vm.vmid); // S2VMID [143:128]
    expect(w(5) & 0x7ffff).toBe(vm.s2.vtcr() & 0x7ffff); // S2T0SZ..S2PS [178:160] = VTCR_EL2[18:0]
    expect((w(5) >>> 19) & 1).toBe(1); // S2AA64 [179]
    expect((w(5) >>> 26) & 1).toBe(1); // S2R [186]: faults are recorded
    expect(w(6) + w(7) * 2 ** 32).toBe(vm.s2.root); // S2TTB [247:196]
    // The other StreamIDs abort (V=1, Config=0): an unassigned master reaches nothing.
    expect(hv.machine.bus.read(smmu.steAddr(0), 4)).toBe(1);
    // Set up through the command queue: configuration invalidated, then synchronised.
    expect(smmu.commands.get('CMD_CFGI_STE')).toBe(1);
    expect(smmu.commands.get('CMD_CFGI_ALL')).toBe(1);
    expect(smmu.commands.get('CMD_SYNC')).toBeGreaterThanOrEqual(2);
  });

  it('a stage-2 change after the STE is live sends CMD_TLBI_S2_IPA + CMD_SYNC', async () => {
    const hv = await runDmaScenario('copy', 'stage2');
    const vm = hv.vms[0];
    const smmu = hv.iommu!;
    const before = { tlbi: smmu.commands.get('CMD_TLBI_S2_IPA') ?? 0, sync: smmu.commands.get('CMD_SYNC')! };
    vm.assign({ name: 'extra', ipa: 0x0a20_0000, pa: 0x0901_0000, size: 0x2000 });
    expect(smmu.commands.get('CMD_TLBI_S2_IPA')).toBe(before.tlbi + 2); // one per 4 KiB page
    expect(smmu.commands.get('CMD_SYNC')).toBe(before.sync + 1);
    expect(smmu.cmdErrors).toBe(0);
  });

  it('attack: reads of hypervisor and VM 0 memory and a write into VM 0 all abort with events; no byte leaks or changes', async () => {
    const events: SmmuEvent[] = [];
    let strtab: Uint8Array | null = null;
    let victimBefore: Uint8Array | null = null;
    const hv = await runDmaScenario('attack', 'stage2', {
      onSmmuEvent: (vm, e) => {
        expect(vm?.name).toBe('evil');
        events.push(e);
      },
      beforeRun: (h) => {
        strtab = bytes(h, HYP_SMMU_BASE, 64 * 64);
        victimBefore = bytes(h, h.vms[0].ramPa, 0x1000);
      },
    });
    const [victim, evil] = hv.vms;
    expect(victim.ramPa).toBe(0x4100_0000);
    expect(evil.ramPa).toBe(0x4300_0000);
    // Three aborted transactions, each named by the SMMU: StreamID, address, direction, stage 2.
    expect(events.map((e) => [e.name, e.streamId, e.inputAddr, e.read, e.stage2])).toEqual([
      ['F_TRANSLATION', SID, 0x40f0_0000, true, true],
      ['F_TRANSLATION', SID, 0x4100_0100, true, true],
      ['F_TRANSLATION', SID, 0x4100_0100, false, true],
    ]);
    expect(evil.dmaEventCount).toBe(3);
    // The engine reported each: ERROR 1 (read abort) / 2 (write abort) with the address.
    expect(evil.output).toContain('STATUS 0x00000004 ERROR 0x00000001 ERR_ADDR 0x40f00000');
    expect(evil.output).toContain('STATUS 0x00000004 ERROR 0x00000001 ERR_ADDR 0x41000100');
    expect(evil.output).toContain('STATUS 0x00000004 ERROR 0x00000002 ERR_ADDR 0x41000100');
    expect(evil.output).not.toContain('SECRET');
    expect(hv.machine.dma!.stats.errors).toBe(3);
    // Memory, from the outside: VM 0 unchanged, the evil VM's buffer still the guard, the
    // hypervisor's stream table unchanged.
    expect(bytes(hv, victim.ramPa, 0x1000)).toEqual(victimBefore);
    expect(text(bytes(hv, victim.ramPa + 0x100, 63))).toBe(SECRET);
    expect(text(bytes(hv, evil.ramPa + 0x1_0000, 64))).toBe('#'.repeat(64));
    expect(bytes(hv, HYP_SMMU_BASE, 64 * 64)).toEqual(strtab);
    expect(victim.output).toContain('victim: my secret is intact');
  });
});

describe("nested: the guest's own stage 1 (A64HV_DMA_CD) in front of the VM's stage 2", () => {
  it('copies by IOVA through its CD and tables; its stage 1 cannot reach beyond its stage 2', async () => {
    const events: SmmuEvent[] = [];
    let steNested = -1;
    const hv = await runDmaScenario('nested', 'stage2', {
      onSmmuEvent: (_vm, e) => {
        events.push(e);
        // While nested: the STE's Config is 0b111 and S1ContextPtr the CD's IPA (5.2).
        const a = hv0!.iommu!.steAddr(SID);
        steNested = hv0!.machine.bus.read(a, 4);
      },
      beforeRun: (h) => (hv0 = h),
    });
    const vm = hv.vms[0];
    expect(vm.output).toContain('(its own stage 1, nested in stage 2) -> 0x00000000\ndma-s1: copy 0x00001000 -> 0x00300000: STATUS 0x00000002');
    // IOVA 0x1000 -> IPA 0x4000_1000, IOVA 0x30_0000 -> IPA 0x4030_0000, through its 1 GiB block.
    expect(bytes(hv, vm.ramPa + 0x30_0000, 256)).toEqual(bytes(hv, vm.ramPa + 0x1000, 256));
    expect(steNested >>> 0).toBe((0x4000_2000 | (0b111 << 1) | 1) >>> 0);
    // No stage-1 mapping: a stage-1 fault. Stage 1 maps to IPA 0xc000_0000: stage 2 refuses it.
    expect(events.map((e) => [e.name, e.inputAddr, e.stage2, e.cls, e.ipa])).toEqual([
      ['F_TRANSLATION', 0x4000_0000, false, 'IN', 0],
      ['F_TRANSLATION', 0x8000_0000, true, 'IN', 0xc000_0000],
    ]);
    expect(vm.output).toContain('ERROR 0x00000001 ERR_ADDR 0x80000000');
    // Back to stage 2 only (X1 = 0): the STE is stage 2 again and IPAs work.
    expect(vm.output).toMatch(/stage 2 only again -> 0x00000000\ndma-s1: copy 0x40001000 -> 0x40310000: STATUS 0x00000002 .*\ndma-s1: copy ok/);
    expect(bytes(hv, vm.ramPa + 0x31_0000, 256)).toEqual(bytes(hv, vm.ramPa + 0x1000, 256));
    expect(hv.iommu!.streams.get(SID)!.config).toBe('stage2');
    expect(hv.iommu!.commands.get('CMD_TLBI_NH_ALL')).toBe(1);
    expect(hv.machine.smmu!.stats().config.cdFetches).toBe(1);
  });

  it('A64HV_DMA_CD refuses a VM without the DMA stream and a misaligned CD', async () => {
    const src = `movz x0, #0x0005
      movk x0, #0xc600, lsl #16
      mov x1, #0x40
      add x1, x1, #1
      hvc #0
      mov x19, x0
      movz x0, #0x0005
      movk x0, #0xc600, lsl #16
      mov x1, #0
      hvc #0
      mov x20, x0
      movz x0, #0x0008
      movk x0, #0x8400, lsl #16
      hvc #0`;
    const { runVms } = await import('./hyp-helpers.js');
    const r = await runVms([src, src], { assignDma: { vm: 0, ipa: 0x0a20_0000 } });
    expect(r.hv.vms[0].vcpu.r[2 * 19]).toBe(-2); // INVALID_PARAMETER: not 64-byte aligned
    expect(r.hv.vms[0].vcpu.r[2 * 20]).toBe(0);
    expect(r.hv.vms[1].vcpu.r[2 * 19]).toBe(-1); // NOT_SUPPORTED: VM 1 has no DMA stream
    expect(r.hv.vms[1].vcpu.r[2 * 20]).toBe(-1);
  });
});

describe('bad CDs and a reset', () => {
  const cdCall = (x1: string): string => `movz x0, #0x0005
      movk x0, #0xc600, lsl #16
      ${x1}
      hvc #0
      movz x27, #0x0a20, lsl #16
      mov x1, #0x1000
      str w1, [x27, #0x08]
      str wzr, [x27, #0x0c]
      mov x1, #0x2000
      str w1, [x27, #0x10]
      str wzr, [x27, #0x14]
      mov w1, #64
      str w1, [x27, #0x18]
      mov w1, #0x601
      str w1, [x27, #0x1c]
      ldr w19, [x27, #0x24]`;
  it('a CD that is not valid (V=0) is C_BAD_CD; one outside the VM is F_TRANSLATION CLASS CD; the engine reports both', async () => {
    const { runVms } = await import('./hyp-helpers.js');
    const events: SmmuEvent[] = [];
    const off = 'movz x0, #0x0008\n movk x0, #0x8400, lsl #16\n hvc #0';
    const r = await runVms([`${cdCall('movz x1, #0x4010, lsl #16')}\n${cdCall('movz x1, #0x7000, lsl #16')}\n${off}`], {
      assignDma: { vm: 0, ipa: 0x0a20_0000 },
      onSmmuEvent: (_vm, e) => events.push(e),
    });
    expect(r.hv.vms[0].stop?.message).toBe('PSCI SYSTEM_OFF');
    expect(events.map((e) => [e.name, e.streamId])).toEqual([
      ['C_BAD_CD', SID],
      ['F_TRANSLATION', SID],
    ]);
    expect([events[1].stage2, events[1].cls, events[1].ipa]).toEqual([true, 'CD', 0x7000_0000]);
    expect(r.hv.machine.dma!.stats.errors).toBe(2);
  });

  it('PSCI SYSTEM_RESET of the VM returns its stream to stage 2 only and resets the engine', async () => {
    const { runVms } = await import('./hyp-helpers.js');
    // First run: install a CD, then reset; a flag in RAM (kept across the reset) marks the second.
    const src = `movz x20, #0x4020, lsl #16
      ldr x19, [x20]
      cbnz x19, second
      movz x0, #0x0005
      movk x0, #0xc600, lsl #16
      movz x1, #0x4010, lsl #16
      hvc #0
      mov x19, #1
      str x19, [x20]
      movz x0, #0x0009
      movk x0, #0x8400, lsl #16
      hvc #0
    second:
      movz x0, #0x0008
      movk x0, #0x8400, lsl #16
      hvc #0`;
    const r = await runVms([src], { assignDma: { vm: 0, ipa: 0x0a20_0000 } });
    expect(r.hv.vms[0].resets).toBe(1);
    expect(r.hv.iommu!.streams.get(SID)!.config).toBe('stage2');
    expect(r.hv.iommu!.commands.get('CMD_TLBI_NH_ALL')).toBe(1);
  });
});

describe('virtio-blk assigned to a VM (its transport mapped by stage 2, its StreamID on the VM\'s stage 2)', () => {
  const SECTOR = 'SECTOR 0 of the test disk: read by a VM through its own stage 2. ';
  const disk = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'hypblk-'));
    const d = new Uint8Array(4096);
    d.set(new TextEncoder().encode(SECTOR));
    writeFileSync(`${dir}/disk.img`, d);
    return `${dir}/disk.img`;
  };

  it('the driver reads sector 0 by IPAs with no exit; aimed at the stream table, the device gets IOERR and the SMMU an event', async () => {
    const events: SmmuEvent[] = [];
    let strtab: Uint8Array | null = null;
    const hv = await runVirtioScenario(disk(), 'stage2', { onSmmuEvent: (_vm, e) => events.push(e), beforeRun: (h) => (strtab = bytes(h, HYP_SMMU_BASE, 0x1000)) });
    const vm = hv.vms[0];
    expect(vm.output).toContain('MagicValue Version DeviceID 0x74726976 0x00000002 0x00000002');
    expect(vm.output).toContain(`into IPA 0x40103000: status 0x00000000, data ${SECTOR.slice(0, 48)}`);
    expect(text(bytes(hv, vm.ramPa + 0x10_3000, SECTOR.length))).toBe(SECTOR);
    // VIRTIO_BLK_S_IOERR: the device's write aborted (all or nothing), the STE page unchanged.
    expect(vm.output).toContain("(the hypervisor's stream table): status 0x00000001");
    expect(events.map((e) => [e.name, e.streamId, e.inputAddr, e.read])).toEqual([['F_TRANSLATION', STREAM_ID.VIRTIO_BASE, 0x40f0_0800, false]]);
    expect(bytes(hv, HYP_SMMU_BASE, 0x1000)).toEqual(strtab);
    // No exit for the transport's registers; its interrupt forwarded (and resampled).
    expect([...vm.stats.byCause.keys()].filter((k) => k.startsWith('mmio') && !k.includes('pl011'))).toEqual([]);
    expect(vm.stats.sum('irq virtio-0')).toBeGreaterThanOrEqual(1);
    expect(vm.vdevs.some((d) => d.name === 'virtio-mmio')).toBe(false); // the real transport replaced the stand-in
  });

  it('in bypass the device looks for its rings at PA = IPA (hypervisor memory) and never answers', async () => {
    const hv = await runVirtioScenario(disk(), 'bypass');
    const vm = hv.vms[0];
    expect(vm.output).toContain('into IPA 0x40103000: status 0x000000ff');
    expect(bytes(hv, vm.ramPa + 0x10_3000, 64).every((b) => b === 0)).toBe(true);
  });

  it('refuses an empty slot and first-touch RAM', async () => {
    const { Hypervisor } = await import('../../src/hyp/hypervisor.js');
    expect(() => new Hypervisor({ vms: [{}], assignVirtio: { vm: 0, slot: 0 } })).toThrow(/assignVirtio: no virtio device in slot 0/);
    expect(() => new Hypervisor({ vms: [{ ram: 'lazy' }], drives: [{ path: disk() }], assignVirtio: { vm: 0, slot: 0 } })).toThrow(/must have eager RAM/);
    expect(() => new Hypervisor({ vms: [{}], drives: [{ path: disk() }, { path: disk() }], assignVirtio: { vm: 0, slot: 1 } })).toThrow(/slot 0 shares slot 1's 4 KiB page/);
  });

  it('from the command line: drives and assignVirtio in --hyp-config (paths relative to it)', async () => {
    const img = disk();
    const dir = join(img, '..');
    writeFileSync(`${dir}/m.json`, JSON.stringify({ drives: [{ path: 'disk.img', readonly: true }], assignVirtio: { vm: 0 }, vms: [{ ram: '8M' }] }));
    const r = await cli(['run', VIRTIO_BLK_GUEST, '--hyp', '--hyp-config', `${dir}/m.json`, '--hyp-trace']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`data ${SECTOR.slice(0, 48)}`);
    expect(r.err).toMatch(/smmu event 1 \[vm0\] F_TRANSLATION \(0x10\) StreamID 0x0 write of 0x40f00800/);
    expect(r.err).toMatch(/StreamID 0 -> vm0 \(stage 2, VMID 1\)/);
    writeFileSync(`${dir}/bad.json`, JSON.stringify({ drives: [{ path: 'nope.img' }], assignVirtio: { vm: 0 } }));
    const b = await cli(['run', VIRTIO_BLK_GUEST, '--hyp', '--hyp-config', `${dir}/bad.json`, '-q']);
    expect(b.code).not.toBe(0);
    expect(b.err.trim().split('\n')).toHaveLength(1);
    writeFileSync(`${dir}/bad2.json`, JSON.stringify({ assignVirtio: { vm: 0, slot: 40 } }));
    expect((await cli(['run', VIRTIO_BLK_GUEST, '--hyp', '--hyp-config', `${dir}/bad2.json`, '-q'])).err).toMatch(/assignVirtio.slot must be a virtio-mmio slot 0..31/);
  });
});

describe('the same with the SMMU in bypass (STE.Config = 0b100): the seed\'s two problems', () => {
  it('copy: the IPAs are taken as PAs; the copy reads and writes hypervisor memory, the VM\'s page stays empty', async () => {
    let hypPage: Uint8Array | null = null;
    // PA 0x4000_1000 is hypervisor memory: the second of the VM's two concatenated level-1 stage-2
    // tables (IPAs from 512 GiB, unused, so all invalid). Mark it with invalid descriptors (bit 0
    // clear) that the copy must carry to PA 0x4020_0000.
    const mark = Uint8Array.from({ length: 256 }, (_, i) => (i * 6 + 0xa4) & 0xfe);
    const hv = await runDmaScenario('copy', 'bypass', {
      beforeRun: (h) => {
        h.machine.bus.load(0x4000_1000, mark);
        hypPage = bytes(h, 0x4000_1000, 256);
      },
    });
    const vm = hv.vms[0];
    expect(vm.output).toContain('dma: copy WRONG');
    expect(bytes(hv, vm.ramPa + 0x20_0000, 256).every((b) => b === 0)).toBe(true);
    // PA 0x4020_0000 (hypervisor memory) got the bytes at PA 0x4000_1000.
    expect(hypPage!.some((b) => b !== 0)).toBe(true);
    expect(bytes(hv, 0x4020_0000, 256)).toEqual(hypPage);
    expect(hv.iommu!.eventsTotal).toBe(0);
  });

  it('attack: the evil VM reads the stream table and VM 0\'s secret, and overwrites the secret', async () => {
    let strtab: Uint8Array | null = null;
    const hv = await runDmaScenario('attack', 'bypass', { beforeRun: (h) => (strtab = bytes(h, HYP_SMMU_BASE, 64)) });
    const [victim, evil] = hv.vms;
    expect(evil.output).not.toContain('ERROR 0x00000001');
    expect(evil.output).toContain(`evil:   buffer ${SECRET}.`);
    // The stream table's first STE (V=1, abort) as read by A: bytes 01 00 00 ... -> '.' each.
    expect(evil.output).toContain(`evil:   buffer ${'.'.repeat(64)}`);
    expect(strtab![0]).toBe(1);
    expect(text(bytes(hv, victim.ramPa + 0x100, 63))).not.toBe(SECRET);
    expect(bytes(hv, victim.ramPa + 0x100, 64)).toEqual(bytes(hv, 0x4000_0800, 64));
    expect(victim.output).toContain('victim: my secret was CHANGED');
    expect(hv.iommu!.eventsTotal).toBe(0);
  });
});

describe('run --hyp with assignDma', () => {
  it('from the command line: the attack scenario, events in --hyp-trace, the figures and --stats-json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hypdma-'));
    writeFileSync(`${dir}/m.json`, JSON.stringify({ assignDma: { vm: 1, ipa: '0x0a100000' }, vms: [{ name: 'victim', ram: '32M' }, { name: 'evil', ram: '8M' }] }));
    const r = await cli(['run', DMA_VICTIM, DMA_EVIL, '--hyp', '--hyp-config', `${dir}/m.json`, '--hyp-trace', '--stats-json', `${dir}/s.json`]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/smmu event 1 \[evil\] F_TRANSLATION \(0x10\) StreamID 0x20 read of 0x40f00000, stage 2, CLASS IN: transaction aborted/);
    expect(r.err).toMatch(/SMMU events \(DMA aborted\)\s*│ 3/);
    expect(r.err).toMatch(/StreamID 32 -> evil \(stage 2, VMID 2\)/);
    const j = JSON.parse(readFileSync(`${dir}/s.json`, 'utf8'));
    expect(j.hyp.vms[1].dmaEvents).toBe(3);
    expect(j.hyp.smmu.mode).toBe('stage2');
    expect(j.hyp.smmu.events.F_TRANSLATION).toBe(3);
    expect(j.hyp.vms[1].assigned.find((a: { name: string }) => a.name === 'dma-engine').exits).toBe(0);
    const b = await cli(['run', DMA_GUEST, '--hyp', '--hyp-config', `${dir}/one.json`, '--hyp-smmu', 'bypass', '-q'].map((a) => (a.endsWith('one.json') ? (writeFileSync(a, '{"assignDma":{"vm":0}}'), a) : a)));
    expect(b.out).toContain('dma: copy WRONG');
  });

  it('the wrong things give one-line errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hypdma-'));
    const bad = async (cfg: object | null, extra: string[] = []): Promise<string> => {
      const args = ['run', DMA_GUEST, '--hyp', '-q', ...extra];
      if (cfg !== null) {
        writeFileSync(`${dir}/c.json`, JSON.stringify(cfg));
        args.push('--hyp-config', `${dir}/c.json`);
      }
      const r = await cli(args);
      expect(r.code).not.toBe(0);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      return r.err;
    };
    expect(await bad({ assignDma: { vm: 3 } })).toMatch(/assignDma.vm 3 is not one of the 1 VMs/);
    expect(await bad({ assignDma: { vm: 0, ipa: '0x123' } })).toMatch(/assignDma.ipa must be a page-aligned hex string/);
    expect(await bad({ assignDma: { vm: 0, ipa: '0x40000000' } })).toMatch(/not a free page-aligned IPA/);
    expect(await bad({ assignDma: { vm: 0, vmid: 1 } })).toMatch(/unknown key 'vmid' in assignDma/);
    expect(await bad({ assignDma: { vm: 0 }, vms: [{ ramPolicy: 'lazy' }] })).toMatch(/must have eager RAM/);
    expect(await bad({ assignDma: { vm: 0 }, smmu: 'off' })).toMatch(/smmu must be "stage2" or "bypass"/);
    expect(await bad(null, ['--hyp-smmu', 'bypass'])).toMatch(/--hyp-smmu: no DMA stream to configure/);
    expect(await bad({ assignDma: { vm: 0 } }, ['--hyp-smmu', 'nested'])).toMatch(/--hyp-smmu nested: expected one of stage2, bypass/);
  });
});
