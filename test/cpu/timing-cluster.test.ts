// One L2 per cluster under --smp (src/cpu/timing/cluster.ts): the PEs of a cluster (four per
// cluster, in PE order, as the A53/A57/A72 clusters have at most four cores sharing their L2)
// share the L2's tags, so a line one core brought in is an L2 hit for another core of the same
// cluster and a miss for a core of the next cluster; each PE still counts its own L2 traffic
// (its PMU's L2D_CACHE / L2D_CACHE_REFILL, its --stats-json cycleModel).
import { describe, it, expect } from 'vitest';
import { Machine } from '../../src/machine.js';
import { DETAILED } from '../../src/cpu/timing/profiles.js';
import { pmuEvent } from '../../src/cpu/timing/model.js';
import { assemble, CODE_BASE } from '../helpers.js';
import { exit, startAll } from './smp-helpers.js';

const A57 = DETAILED['cortex-a57'];
const LINES = 64;
const BUF = 0x4040_0000;

/** PE `k` loads the 64 lines of BUF (Normal memory, in RAM); the latency of each load. */
function touch(m: Machine, k: number): number[] {
  const t = m.pes[k].timed!;
  const lat: number[] = [];
  for (let i = 0; i < LINES; i++) {
    t.memLat = 0;
    t.data(BUF + 64 * i, false, true, true);
    lat.push(t.memLat);
  }
  return lat;
}

describe('the L2 is shared by the PEs of a cluster', () => {
  it('a line PE 0 brought into L2 is an L2 hit for PE 1 (same cluster) and a DRAM miss for PE 4 (next cluster)', () => {
    const m = new Machine({ smp: 5, timing: 'cortex-a57', ramSize: 16 << 20 });
    expect(touch(m, 0)).toEqual(new Array(LINES).fill(A57.dramLatency));
    expect(touch(m, 1)).toEqual(new Array(LINES).fill(A57.l2Latency));
    expect(touch(m, 4)).toEqual(new Array(LINES).fill(A57.dramLatency));
    // Each PE counts its own traffic to the shared L2.
    const c = m.pes.map((p) => p.timed!.counts());
    expect([c[0].l2Accesses, c[0].l2Refills]).toEqual([LINES, LINES]);
    expect([c[1].l2Accesses, c[1].l2Refills]).toEqual([LINES, 0]);
    expect([c[4].l2Accesses, c[4].l2Refills]).toEqual([LINES, LINES]);
    expect([c[2].l2Accesses, c[3].l2Accesses]).toEqual([0, 0]);
    expect(pmuEvent(m.pes[1].timed!, 0x16)).toBe(LINES); // L2D_CACHE
    expect(pmuEvent(m.pes[1].timed!, 0x17)).toBe(0); // L2D_CACHE_REFILL
    // The L1s stay private: PE 1's second pass hits its own L1D, PE 2's first pass still goes to L2.
    expect(touch(m, 1)).toEqual(new Array(LINES).fill(A57.latency[7]));
    expect(touch(m, 2)).toEqual(new Array(LINES).fill(A57.l2Latency));
  });
  it('another machine has its own L2, and a different profile on a PE does not share another profile\'s', () => {
    const a = new Machine({ smp: 2, timing: 'cortex-a57', ramSize: 16 << 20 });
    const b = new Machine({ smp: 2, timing: 'cortex-a57', ramSize: 16 << 20 });
    touch(a, 0);
    expect(touch(b, 1)).toEqual(new Array(LINES).fill(A57.dramLatency));
    a.pes[1].setTiming('cortex-a72');
    expect(touch(a, 1)).toEqual(new Array(LINES).fill(DETAILED['cortex-a72'].dramLatency));
  });
  it('a two-PE guest runs under a detailed profile, deterministically, each PE with its own counts', async () => {
    // Both PEs count to 2000; PE 0 waits for PE 1 and exits with PE 1's total.
    const src = `
  ${startAll(2)}
  mov x11, #2000
spin:
  subs x11, x11, #1
  b.ne spin
  adr x16, done
  cbnz x19, mark
wait:
  ldr x18, [x16]
  cbz x18, wait
  mov x0, #7
  ${exit('x0')}
mark:
  mov x18, #1
  str x18, [x16]
park:
  wfe
  b park
fail:
  mov x0, #0xbad
  ${exit('x0')}
  .balign 8
argblk: .quad 0, 0
done: .quad 0
`;
    const code = await assemble(src);
    const run = (): { exit: number | undefined; cycles: number[]; insns: number[] } => {
      const m = new Machine({ smp: 2, smpQuantum: 100, ramSize: 1 << 20, timing: 'cortex-a57' });
      m.bus.load(CODE_BASE, code);
      m.noteLoaded(CODE_BASE + code.length);
      m.boot(BigInt(CODE_BASE));
      const r = m.run(2_000_000);
      expect(r.reason, r.message).toBe('exit');
      return { exit: r.exitCode, cycles: m.pes.map((p) => p.timed!.counts().cycles), insns: m.pes.map((p) => p.timed!.counts().instructions) };
    };
    const one = run();
    expect(one.exit).toBe(7);
    expect(one.insns[1]).toBeGreaterThan(2 * 2000);
    expect(run()).toEqual(one);
  });
});
