// Detailed timing profiles on whole guests: the pointer chase of guests/tlb/tlb-touch.S (mode 2,
// one 64-byte line per node, random order, identity-mapped with 2 MiB blocks) shows the L1, L2
// and DRAM latency plateaus of each profile; the TLB statistics are those of the simple profile
// (the model's access hooks leave the fast translation cache alone); both engines give the same
// counts; Device memory bypasses the caches; counts are pinned (deterministic).
import { describe, it, expect } from 'vitest';
import { Machine } from '../../src/machine.js';
import { loadImage, bootLoaded } from '../../src/loader/index.js';
import { TlbLab } from '../../src/stats/lab.js';
import { TOUCH } from '../stats/lab-helpers.js';
import { runAsm } from '../helpers.js';
import { DETAILED } from '../../src/cpu/timing/profiles.js';
import { pmuEvent } from '../../src/cpu/timing/model.js';

interface Run {
  m: Machine;
  loads: number;
  cycles: number;
  instructions: number;
  tlb: unknown;
}

/** tlb-touch "FOOTPRINT 64 PASSES 2" (pointer chase) under `timing`; the region of interest's figures. */
async function chase(footprint: string, passes: number, timing: string, mmu = 's1:4k:blocks', engine?: 'jit' | 'interp'): Promise<Run> {
  const m = new Machine({ ramSize: 64 * 1024 * 1024, cmdline: `${footprint} 64 ${passes} 2`, timing, engine });
  const lab = await TlbLab.create(m, { mmu });
  const img = await loadImage(m, TOUCH, {});
  bootLoaded(m, img);
  lab.boot();
  let r = m.run(200_000_000);
  lab.roi.settle();
  while (r.reason === 'limit' && m.cpu.instret < 200_000_000) {
    r = m.run(200_000_000 - m.cpu.instret);
    lab.roi.settle();
  }
  if (r.reason !== 'exit' || r.exitCode !== 0) throw new Error(`tlb-touch: ${r.reason} ${r.message ?? ''}`);
  const roi = lab.roi.regions.find((s) => s.label === 'roi 1')!;
  const bytes = Number.parseInt(footprint) * (footprint.endsWith('M') ? 1 << 20 : 1 << 10);
  return { m, loads: (passes * bytes) / 64, cycles: roi.cycles, instructions: roi.instructions, tlb: roi.tlb };
}

describe('memory-latency plateaus (pointer chase, lat_mem_rd style)', () => {
  for (const name of ['cortex-a53', 'cortex-a57', 'cortex-a72']) {
    it(`${name}: L1, L2 and DRAM plateaus at the profile's latencies`, async () => {
      const p = DETAILED[name];
      // 16 KiB fits every L1D, 256 KiB every L2 (not L1), 8 MiB no cache. Each load waits for the
      // previous one; the loop's subs/b.ne run beside it, so cycles/load is the load latency.
      const l1 = await chase('16K', 4, name);
      const l2 = await chase('256K', 2, name);
      expect(l1.cycles / l1.loads).toBeCloseTo(p.latency[7], 0);
      expect(Math.abs(l2.cycles / l2.loads - p.l2Latency) / p.l2Latency).toBeLessThan(0.1);
      expect(l1.instructions).toBe(3 * l1.loads + 22); // ldr, subs, b.ne per load + per-pass set-up and the markers
    });
  }
  it('cortex-a57 DRAM plateau (8 MiB, beyond the 2 MiB L2)', async () => {
    const p = DETAILED['cortex-a57'];
    const r = await chase('8M', 1, 'cortex-a57');
    expect(Math.abs(r.cycles / r.loads - p.dramLatency) / p.dramLatency).toBeLessThan(0.1);
  });
});

describe('detailed profiles and the rest of the machine', () => {
  it('leave the TLB statistics exactly as under the simple profile (fast-cache hits count the same)', async () => {
    const a = await chase('256K', 2, 'a57', 's1:4k:pages');
    const b = await chase('256K', 2, 'cortex-a72', 's1:4k:pages');
    expect(b.tlb).toEqual(a.tlb);
    expect(b.instructions).toBe(a.instructions);
  });
  it('give the same counts under both engines (the JIT falls back to the interpreter)', async () => {
    const a = await chase('64K', 2, 'cortex-a57', 's1:4k:pages', 'interp');
    const b = await chase('64K', 2, 'cortex-a57', 's1:4k:pages', 'jit');
    expect(b.cycles).toBe(a.cycles);
    expect(b.m.cpu.timed!.counts()).toEqual(a.m.cpu.timed!.counts());
  });
  it('pin the counts of a small guest per profile', async () => {
    const got: Record<string, unknown> = {};
    for (const name of ['cortex-a53', 'cortex-a57', 'cortex-a72']) {
      const r = await chase('64K', 2, name, 's1:4k:pages');
      const c = r.m.cpu.timed!.counts();
      got[name] = [r.cycles, c.l1dRefills, c.l2Refills, c.branchesMispredicted, c.walkDescReads];
    }
    expect(got).toMatchInlineSnapshot(`
      {
        "cortex-a53": [
          30945,
          4099,
          1039,
          50,
          17,
        ],
        "cortex-a57": [
          38380,
          4099,
          1039,
          54,
          17,
        ],
        "cortex-a72": [
          42437,
          4099,
          1039,
          63,
          17,
        ],
      }
    `);
  });
  it('Device memory bypasses the caches: with the MMU off data accesses are uncached', async () => {
    const m = await runAsm('ldr x1, [x0]\nldr x2, [x0, #8]\nldr w3, [x4, #0x18]\nhlt #1', {
      x: { 0: 0x4010_0000n, 4: 0x0900_0000n },
      setup: (mm) => mm.cpu.setTiming('cortex-a57'),
    });
    const c = m.cpu.timed!.counts();
    expect(c.l1dAccesses).toBe(0);
    expect(c.uncachedAccesses).toBe(2); // the two RAM loads (Device-nGnRnE with SCTLR_EL1.M = 0); the PL011 is a device
    expect(pmuEvent(m.cpu.timed!, 0x04)).toBe(0); // L1D_CACHE
    expect(pmuEvent(m.cpu.timed!, 0x14)).toBe(c.l1iAccesses);
    expect(pmuEvent(m.cpu.timed!, 0x99)).toBeUndefined();
  });
  it('switching back to a simple profile removes the model and its hooks', async () => {
    const src = 'mov x1, #50\nloop: ldr x2, [x0]\nsubs x1, x1, #1\nb.ne loop\nhlt #1';
    const plain = await runAsm(src, { x: { 0: 0x4010_0000n } });
    const back = await runAsm(src, {
      x: { 0: 0x4010_0000n },
      setup: (mm) => {
        mm.cpu.setTiming('cortex-a53');
        mm.cpu.setTiming('a57');
      },
    });
    expect(back.cpu.timed).toBeNull();
    expect(Object.prototype.hasOwnProperty.call(back.cpu, 'ld64')).toBe(false);
    expect(back.cpu.cycles).toBe(plain.cpu.cycles);
  });
});
