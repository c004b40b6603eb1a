// Running small assembly guests as VMs under the hypervisor (keystone at IPA 0x4000_0000).
import { assembleSource } from '../../src/loader/asm.js';
import { Hypervisor, type HypervisorOptions, type ExitRecord } from '../../src/hyp/hypervisor.js';
import type { Vm } from '../../src/hyp/vm.js';
import type { Device } from '../../src/devices/bus.js';

/** PSCI SYSTEM_OFF: the end of every test guest. */
export const OFF = `movz x0, #0x0008
  movk x0, #0x8400, lsl #16
  hvc #0`;

/** A register file at IPA 0x0a10_0000: reads return what was written (little-endian bytes). */
export const SCRATCH_IPA = 0x0a10_0000;
export class Scratch implements Device {
  readonly name = 'scratch';
  readonly bytes = new Uint8Array(0x1000);
  readonly log: string[] = [];
  read(off: number, size: number): number {
    this.log.push(`r${size}@${off.toString(16)}`);
    let v = 0;
    for (let k = size - 1; k >= 0; k--) v = v * 256 + this.bytes[off + k];
    return v;
  }
  write(off: number, size: number, value: number): void {
    this.log.push(`w${size}@${off.toString(16)}=${(value >>> 0).toString(16)}`);
    for (let k = 0; k < size; k++) this.bytes[off + k] = (value >>> (8 * k)) & 0xff;
  }
}

export interface VmRun {
  hv: Hypervisor;
  exits: ExitRecord[];
  scratch: Scratch[];
  vm: Vm;
}

/** Run one assembly source per VM (each with a scratch device); 32 MiB of RAM each by default. */
export async function runVms(
  srcs: string[],
  opts: Partial<HypervisorOptions> = {},
  maxInsns = 2_000_000,
  setup?: (r: VmRun) => void,
): Promise<VmRun> {
  const exits: ExitRecord[] = [];
  const hv = new Hypervisor({
    vms: srcs.map(() => ({ ramSize: 32 << 20 })),
    ...opts,
    onExit: (e) => exits.push(e),
  });
  const scratch: Scratch[] = [];
  for (let k = 0; k < srcs.length; k++) {
    const vm = hv.vms[k];
    const s = new Scratch();
    scratch.push(s);
    vm.vdevs.push({ name: 'scratch', ipa: SCRATCH_IPA, size: 0x1000, dev: s, regName: (o) => `+0x${o.toString(16)}` });
    const img = await assembleSource(srcs[k], `vm${k}.S`);
    vm.load(Number(img.base), img.code);
    hv.boot(vm, Number(img.entry));
  }
  const run = { hv, exits, scratch, vm: hv.vms[0] };
  setup?.(run);
  hv.run(maxInsns);
  return run;
}

export const X = (run: VmRun, n: number): bigint => run.hv.cpu.readX(n);
