// Snapshots of a hypervisor machine (run --hyp, repl --hyp's savevm/loadvm, the API): the
// Hypervisor object is the root of the state walk (state-walk.ts), so its board (CPU, PMU, guest
// debug registers, GIC with the list registers, timers, devices, TLB model), its VMs (vCPU
// contexts, VMIDs, vGIC, virtual UART and other virtual devices, semihosting state, exit
// statistics, stage-2 pool bookkeeping) and the scheduler's state are saved by walking them;
// the stage-2 tables themselves are in the board's RAM, saved page by page with it.
//
// The hypervisor's part of the format has its own version (HYP_SNAPSHOT_VERSION) inside the
// snapshot's: the VM's shape may change (several vCPUs per VM), and a snapshot of one shape must
// be refused by another, not restored into it. Everything that touches that shape is here.
import type { Hypervisor } from '../hyp/hypervisor.js';
import { ApiError } from './errors.js';
import { saveState } from './state-walk.js';
import { machineShape, encodeSnapshot, readSnapshot, restoreDecoded, type Snapshot } from './snapshot.js';

// 2: VMs with several vCPUs (vm.vcpus, banked vGIC state per vCPU, the scheduler's vCPU list).
export const HYP_SNAPSHOT_VERSION = 2;
/** The hypervisor's board RAM is at most 1 GiB (src/hyp/hypervisor.ts). */
const MAX_PHYS_RAM = 0x4000_0000;

/** What must match for a restore: the board's shape, and each VM's name, RAM and policies. */
export function hypervisorShape(hv: Hypervisor): Record<string, unknown> {
  return {
    ...machineShape(hv.machine),
    vms: hv.vms.map((v) => ({ name: v.name, vmid: v.vmid, vcpus: v.vcpus.length, ramSize: v.config.ramSize, ram: v.config.ram, isv0: v.config.isv0, semihosting: v.config.semihosting })),
    slice: hv.slice,
    vmidTagging: hv.vmidTagging,
  };
}

/** The whole hypervisor machine as snapshot bytes. */
export function saveHypervisorState(hv: Hypervisor): Snapshot {
  return encodeSnapshot(hv.machine, {
    format: 'a64hv-snapshot',
    kind: 'hypervisor',
    hypVersion: HYP_SNAPSHOT_VERSION,
    shape: JSON.parse(JSON.stringify(hypervisorShape(hv))) as Record<string, unknown>,
    config: null,
    state: saveState(hv),
  });
}

/** Put a snapshot back into `hv`, a hypervisor built the same way (same guests, options). */
export function restoreHypervisorState(hv: Hypervisor, s: Snapshot): void {
  // Framing read against the largest RAM, so that a snapshot of other VM sizes is refused by its shape.
  const { payload, pages } = readSnapshot(s, MAX_PHYS_RAM);
  if (payload.kind !== 'hypervisor') throw new ApiError('snapshot: of a bare machine, not of a hypervisor (restore it without --hyp)');
  if (payload.hypVersion !== HYP_SNAPSHOT_VERSION) throw new ApiError(`snapshot: hypervisor state version ${String(payload.hypVersion)}; this a64hv reads version ${HYP_SNAPSHOT_VERSION}`);
  restoreDecoded(hv.machine, hv, payload, JSON.parse(JSON.stringify(hypervisorShape(hv))) as Record<string, unknown>, pages);
}
