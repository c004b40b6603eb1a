// Snapshots of a hypervisor machine (src/api/hyp-snapshot.ts): two VMs (timer/SGI/UART interrupts
// through the vGIC in one, lazy stage-2 first-touch faults in the other) run N instructions, are
// saved, run on; a hypervisor built the same way and restored continues with identical counts,
// exit statistics, VM outputs, vCPU registers and RAM, under both engines.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { Hypervisor } from '../../src/hyp/hypervisor.js';
import { loadIntoVm } from '../../src/hyp/load.js';
import { saveHypervisorState, restoreHypervisorState } from '../../src/api/hyp-snapshot.js';
import { Machine } from '../../src/api/machine.js';
import { Hypervisor as ApiHypervisor } from '../../src/api/hypervisor.js';

const G = new URL('../../guests/', import.meta.url).pathname;
const IRQ_IN = readFileSync(`${G}expected/irq.in`, 'utf8');

async function build(engine: 'interp' | 'jit'): Promise<Hypervisor> {
  const hv = new Hypervisor({
    engine,
    slice: 1_000,
    vms: [
      { name: 'irq', ramSize: 16 << 20, uartInput: IRQ_IN },
      { name: 'sort', ramSize: 128 << 20, ram: 'lazy' },
    ],
  });
  hv.boot(hv.vms[0], await loadIntoVm(hv.vms[0], `${G}build/irq.elf`));
  hv.boot(hv.vms[1], await loadIntoVm(hv.vms[1], `${G}build/sort.elf`));
  return hv;
}

function observe(hv: Hypervisor): unknown {
  let ramHash = 0;
  const ram = hv.machine.bus.i32;
  for (let k = 0; k < ram.length; k++) ramHash = (Math.imul(ramHash, 31) + ram[k]) | 0;
  return {
    instret: hv.cpu.instret,
    cycles: hv.cpu.cycles,
    tlb: hv.cpu.mmu.tlb.snapshot(),
    switches: hv.switches,
    vms: hv.vms.map((v) => ({ out: v.output, stats: v.stats.toJSON(), stop: v.stop, pages: v.pagesMapped, regs: Array.from(v.vcpu.r), injected: v.vgic?.injected })),
    ramHash,
  };
}

describe('hypervisor snapshot: run N, save, run M equals restore + run M', () => {
  for (const engine of ['interp', 'jit'] as const) {
    it(`two VMs (vGIC interrupts; lazy stage 2), ${engine}`, { timeout: 120_000 }, async () => {
      const a = await build(engine);
      // Mid-way through the interrupts: the first slice boundary after the vGIC injected one.
      while (a.vms[0].vgic!.injected === 0) expect(a.run(500).reason).toBe('limit');
      expect(a.vms[0].stop).toBeNull();
      const snap = saveHypervisorState(a);
      const r2 = a.run(50_000_000);
      expect(r2.reason).toBe('done');
      const straight = observe(a);
      expect(a.vms[0].output).toContain('hello irq');

      const b = await build(engine);
      restoreHypervisorState(b, snap);
      expect(b.run(50_000_000)).toEqual(r2);
      expect(observe(b)).toEqual(straight);
    });
  }
  it('refuses a snapshot of another shape, of a bare machine, and a bare machine refuses a hypervisor snapshot (one-line errors)', async () => {
    const a = await build('interp');
    const snap = saveHypervisorState(a);
    const other = new Hypervisor({ vms: [{ name: 'irq', ramSize: 16 << 20 }] });
    expect(() => restoreHypervisorState(other, snap)).toThrow(/^snapshot: taken on another machine configuration \(ramSize .*vms /);
    const m = new Machine({ ramSize: 16 << 20 });
    expect(() => restoreHypervisorState(a, m.saveSnapshot())).toThrow(/of a bare machine, not of a hypervisor/);
    expect(() => m.restoreSnapshot(snap)).toThrow(/^snapshot: of a hypervisor/);
  });
  it('from the API: Hypervisor.saveSnapshot / restoreSnapshot', async () => {
    const src = 'mov x1, #0\nloop: add x1, x1, #1\ncmp x1, #3000\nb.ne loop\nmovz w0, #0x8400, lsl #16\nadd w0, w0, #8\nhvc #0\n';
    const make = async (): Promise<ApiHypervisor> => {
      const h = new ApiHypervisor({ vms: [{ name: 'a', ramSize: 1 << 20 }, { name: 'b', ramSize: 1 << 20 }], slice: 700 });
      await h.assemble('a', src);
      await h.assemble('b', src);
      return h;
    };
    const a = await make();
    a.run({ maxInstructions: 2000 });
    const snap = a.saveSnapshot();
    const r = a.run();
    const b = await make();
    b.restoreSnapshot(snap);
    expect(b.run()).toEqual(r);
    expect(b.stats()).toEqual(a.stats());
  });
});

describe('hypervisor snapshot of a VM with several vCPUs', () => {
  // guests/asm/hyp-vcpus.S: vCPU 0 powers the others on (PSCI CPU_ON) one at a time and they
  // exchange SGIs. Saved while vCPU 1 is on and vCPUs 2-3 are still off: every vCPU's context, power
  // state and counters, and the banked SGI state of the vGIC, must come back.
  const GUEST = `${G}asm/hyp-vcpus.S`;
  const build4 = async (engine: 'interp' | 'jit'): Promise<Hypervisor> => {
    const hv = new Hypervisor({ engine, slice: 7, vms: [{ name: 'smp', ramSize: 16 << 20, vcpus: 4 }] });
    hv.boot(hv.vms[0], await loadIntoVm(hv.vms[0], GUEST));
    return hv;
  };
  const vcpuState = (hv: Hypervisor): unknown =>
    hv.vms[0].vcpus.map((v) => ({ on: v.on, insns: v.instructions, exits: v.exits, in: v.switchesIn, ons: v.powerOns, regs: Array.from(v.ctx.r) }));
  for (const engine of ['interp', 'jit'] as const) {
    it(`4 vCPUs, saved with vCPU 1 on and 2-3 off, continue identically (${engine})`, { timeout: 120_000 }, async () => {
      const a = await build4(engine);
      const vm = a.vms[0];
      while (!(vm.vcpus[1].on && vm.vcpus[1].instructions > 0)) expect(a.run(50).reason).toBe('limit');
      expect(vm.vcpus[2].on).toBe(false);
      const snap = saveHypervisorState(a);
      const r2 = a.run(20_000_000);
      expect(r2.reason).toBe('done');
      expect(vm.output).toContain('all 4 CPUs said hello');
      const b = await build4(engine);
      restoreHypervisorState(b, snap);
      expect(b.run(20_000_000)).toEqual(r2);
      expect(b.vms[0].output).toBe(vm.output);
      expect(vcpuState(b)).toEqual(vcpuState(a));
      expect(observe(b)).toEqual(observe(a));
    });
  }
  it('a VM of another vCPU count refuses the snapshot', async () => {
    const snap = saveHypervisorState(await build4('interp'));
    const two = new Hypervisor({ vms: [{ name: 'smp', ramSize: 16 << 20, vcpus: 2 }] });
    expect(() => restoreHypervisorState(two, snap)).toThrow(/^snapshot: taken on another machine configuration/);
  });
});
