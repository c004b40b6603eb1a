// Several VMs on one CPU: time slices, WFI trapped to EL2 (HCR_EL2.TWI) giving the CPU away, the
// world switch of the EL1 context, and VMID tagging versus TLBI VMALLS12E1 on every switch.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { runVms, OFF } from './hyp-helpers.js';
import { mmuOf } from '../../src/mmu/translate.js';

const ASID_GUEST = readFileSync(new URL('../../guests/asm/hyp-asid.S', import.meta.url), 'utf8');
const expected = ['vm1: round 1 ok', 'vm2: round 1 ok', 'vm1: round 2 ok', 'vm2: round 2 ok', 'vm1: round 3 ok', 'vm2: round 3 ok'];

async function asidRun(opts: { vmidTagging: boolean; flushOnSwitch?: boolean }) {
  const lines: string[] = [];
  const partial = ['', ''];
  const r = await runVms([ASID_GUEST, ASID_GUEST], {
    ...opts,
    onOutput: (vm, t) => {
      partial[vm.id] += t;
      let k;
      while ((k = partial[vm.id].indexOf('\n')) >= 0) {
        lines.push(partial[vm.id].slice(0, k));
        partial[vm.id] = partial[vm.id].slice(k + 1);
      }
    },
  });
  return { r, lines };
}

describe('two VMs with the same ASIDs', () => {
  it('VMID tagging: interleaved output, each VM sees its own page, TPIDR_EL1 and D0', async () => {
    const { r, lines } = await asidRun({ vmidTagging: true });
    expect(lines).toEqual(expected);
    expect(r.hv.vms.map((v) => v.stop?.message)).toEqual(['PSCI SYSTEM_OFF', 'PSCI SYSTEM_OFF']);
    expect(r.hv.tlbFlushes).toBe(0);
    expect(r.hv.vms.map((v) => v.vmid)).toEqual([1, 2]);
  });
  it('no tagging: one VMID, TLBI VMALLS12E1 on each switch keeps them apart, at the cost of more walks', async () => {
    const tagged = await asidRun({ vmidTagging: true });
    const { r, lines } = await asidRun({ vmidTagging: false });
    expect(lines).toEqual(expected);
    expect(r.hv.tlbFlushes).toBe(r.hv.switches + 1); // every entry, including the first
    const walks = (x: typeof r) => mmuOf(x.hv.cpu).tlb.walks.s1Walks;
    expect(walks(r)).toBeGreaterThan(walks(tagged.r));
  });
  it('no tagging and no flush (deliberately wrong): a VM reads the other VM\'s page through a stale translation', async () => {
    const { lines } = await asidRun({ vmidTagging: false, flushOnSwitch: false });
    expect(lines.some((l) => l.endsWith('BAD'))).toBe(true);
  });
});

describe('scheduling', () => {
  const order: string[] = [];
  it('a trapped WFI (EC 0x01) gives the rest of the slice to the other VM; ELR_EL2 moves past it', async () => {
    const put = (c: number): string => `mov w1, #${c}\nstr w1, [x9]`;
    const r = await runVms(
      [`movz x9, #0x0900, lsl #16\n${put(0x61)}\nwfi\n${put(0x63)}\n${OFF}`, `movz x9, #0x0900, lsl #16\n${put(0x62)}\n${OFF}`],
      { onOutput: (_vm, t) => order.push(t) },
    );
    expect(order.join('')).toBe('abc');
    expect(r.hv.vms[0].stats.get('wfi')).toBe(1);
    expect(r.hv.vms[0].stop?.message).toBe('PSCI SYSTEM_OFF');
  });
  it('a lone VM waiting in WFI with no interrupt source stops, as on the bare-metal board', async () => {
    const r = await runVms([`wfi\n${OFF}`]);
    expect(r.vm.stop).toEqual({ kind: 'error', code: 1, message: 'WFI with no interrupt source' });
  });
  it('time slices: two busy VMs are switched every N instructions and both compute the right result', async () => {
    // Sum 1..2000 in x5 (and FP in d1): thousands of instructions, many switches at slice 97.
    const src = `mov x5, #0\nmov x6, #2000\nmov x1, #0x300000\nmsr cpacr_el1, x1\nisb\nfmov d1, xzr\nloop:\nadd x5, x5, x6\nscvtf d2, x6\nfadd d1, d1, d2\nsubs x6, x6, #1\nb.ne loop\nfcvtzs x7, d1\n${OFF}`;
    const r = await runVms([src, src], { slice: 97 });
    for (const v of r.hv.vms) {
      const x = (n: number): bigint => (BigInt(v.vcpu.r[2 * n + 1] >>> 0) << 32n) | BigInt(v.vcpu.r[2 * n] >>> 0);
      expect([x(5), x(7)]).toEqual([2001000n, 2001000n]);
    }
    expect(r.hv.switches).toBeGreaterThan(100);
    expect(r.hv.vms[0].stats.switchesIn).toBeGreaterThan(50);
  });
});
