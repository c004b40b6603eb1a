// The DMA isolation scenarios (the demo and test/hyp/dma-isolation.test.ts run them): the DMA
// engine assigned to a VM, with the SMMU translating its StreamID by that VM's stage 2, or in
// bypass to show the problem the SMMU solves.
//   copy:   guests/asm/hyp-dma.S alone (32 MiB), the engine at IPA 0x0a10_0000: a copy by IPAs.
//   attack: guests/asm/hyp-dma-victim.S as VM 0 (32 MiB, PA 0x4100_0000) and
//           guests/asm/hyp-dma-evil.S as VM 1 (8 MiB, PA 0x4300_0000) with the engine: it aims
//           the engine at hypervisor memory and at VM 0's memory.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { Hypervisor, IPA_DMA_DEFAULT, type ExitRecord, type SmmuMode } from './hypervisor.js';
import { loadIntoVm } from './load.js';
import type { Vm } from './vm.js';
import type { SmmuEvent } from './iommu.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DMA_GUEST = join(ROOT, 'guests', 'asm', 'hyp-dma.S');
export const DMA_VICTIM = join(ROOT, 'guests', 'asm', 'hyp-dma-victim.S');
export const DMA_EVIL = join(ROOT, 'guests', 'asm', 'hyp-dma-evil.S');
export const DMA_NESTED = join(ROOT, 'guests', 'asm', 'hyp-dma-s1.S');
export const VIRTIO_BLK_GUEST = join(ROOT, 'guests', 'asm', 'hyp-virtio-blk.S');

/** nested: guests/asm/hyp-dma-s1.S (32 MiB) gives its DMA stream its own stage 1 (A64HV_DMA_CD). */
export type DmaScenario = 'copy' | 'attack' | 'nested';

export interface DmaScenarioHooks {
  onOutput?: (vm: Vm, text: string) => void;
  onExit?: (e: ExitRecord) => void;
  onSmmuEvent?: (vm: Vm | null, e: SmmuEvent) => void;
  /** Called after the guests are loaded, before they run (tests take memory snapshots here). */
  beforeRun?: (hv: Hypervisor) => void;
}

/** Build, load and run one scenario to its end; returns the hypervisor for inspection. */
export async function runDmaScenario(kind: DmaScenario, smmu: SmmuMode, hooks: DmaScenarioHooks = {}): Promise<Hypervisor> {
  const copy = kind !== 'attack';
  const hv = new Hypervisor({
    vms: copy ? [{ name: 'driver', ramSize: 32 << 20 }] : [{ name: 'victim', ramSize: 32 << 20 }, { name: 'evil', ramSize: 8 << 20 }],
    assignDma: { vm: copy ? 0 : 1, ipa: IPA_DMA_DEFAULT },
    smmu,
    onOutput: hooks.onOutput,
    onExit: hooks.onExit,
    onSmmuEvent: hooks.onSmmuEvent,
  });
  const guests = kind === 'copy' ? [DMA_GUEST] : kind === 'nested' ? [DMA_NESTED] : [DMA_VICTIM, DMA_EVIL];
  for (let k = 0; k < guests.length; k++) hv.boot(hv.vms[k], await loadIntoVm(hv.vms[k], guests[k]));
  hooks.beforeRun?.(hv);
  hv.run(5_000_000);
  return hv;
}

/**
 * virtio-blk: guests/asm/hyp-virtio-blk.S (8 MiB: PA 0x40f0_0800 is outside its IPA space) with the board's virtio-blk (slot 0, backed by
 * `drive`, read-only) assigned to it: its driver reads sector 0 into its own buffer, then aims the
 * device at the hypervisor's stream table.
 */
export async function runVirtioScenario(drive: string, smmu: SmmuMode, hooks: DmaScenarioHooks = {}): Promise<Hypervisor> {
  const hv = new Hypervisor({
    vms: [{ name: 'blk', ramSize: 8 << 20 }],
    drives: [{ path: drive, readonly: true }],
    assignVirtio: { vm: 0, slot: 0 },
    smmu,
    onOutput: hooks.onOutput,
    onExit: hooks.onExit,
    onSmmuEvent: hooks.onSmmuEvent,
  });
  hv.boot(hv.vms[0], await loadIntoVm(hv.vms[0], VIRTIO_BLK_GUEST));
  hooks.beforeRun?.(hv);
  hv.run(5_000_000);
  return hv;
}
