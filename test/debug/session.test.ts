// The debugger's run control: breakpoints stop at the exact instruction (also inside a decoded
// block), watchpoints stop before the accessing instruction with memory and registers untouched,
// and the guest's state (registers, instructions, cycles, TLB statistics) is the same with and
// without the debugger attached (issue 6).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../../src/machine.js';
import { loadImage } from '../../src/loader/index.js';
import { mmuOf } from '../../src/mmu/translate.js';
import { Session } from '../../src/debug/session.js';

const ROOT = join(__dirname, '..', '..');
const SORT = join(ROOT, 'guests', 'build', 'sort.elf');
const MMU = join(ROOT, 'guests', 'build', 'mmu.elf');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-dbg-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function asmFile(name: string, body: string): string {
  const p = join(dir, name);
  // Ends with semihosting SYS_EXIT_EXTENDED (0x20), status in the block.
  writeFileSync(p, `_start:\n${body}\n  mov x0, #0x20\n  adr x1, exitblk\n  hlt #0xf000\n.balign 8\nexitblk: .quad 0x20026, 7\n`);
  return p;
}

interface Snap {
  r: number[];
  v: number[];
  pc: bigint;
  instret: number;
  cycles: number;
  tlb: unknown;
  output: string;
}
function snap(m: Machine): Snap {
  const c = m.cpu;
  return { r: [...c.r], v: [...c.vr], pc: c.pc, instret: c.instret, cycles: c.cycles, tlb: mmuOf(c).tlb.snapshot(), output: m.output };
}
/**
 * The TLB counters without the L1 lookups/hits, which count only accesses that reached the slow
 * path (src/mmu/README.md): a stop makes the resumed fetch and the next data accesses take it.
 * L1 misses, L2, walks, descriptor reads, the IPA and walk caches and the cycles stay exact.
 */
// L1 lookups are exact (src/mmu/tlb-exact.ts), so the debugger leaves every TLB count unchanged.
function strip(t: unknown): unknown {
  return t;
}

async function plainRun(guest: string): Promise<Snap> {
  const m = new Machine();
  const img = await loadImage(m, guest);
  m.boot(img.entry);
  const r = m.run();
  expect(r.reason).toBe('exit');
  return snap(m);
}

describe('breakpoints', () => {
  it('stop at the exact instruction inside a block, before it executes', async () => {
    const s = await Session.create({ guest: SORT });
    const main = s.img.symbols.lookup('main')!;
    // main+8 is in the middle of main's first block (no branch before it).
    const bp = s.addBreakpoint(main + 8n);
    const stop = await s.cont();
    expect(stop.kind).toBe('break');
    expect(s.cpu.pc).toBe(main + 8n);
    // The same number of instructions on a machine without the debugger lands on the same PC
    // with the same registers: the breakpoint instruction itself has not executed.
    const m = new Machine();
    m.boot((await loadImage(m, SORT)).entry);
    m.run(s.cpu.instret);
    expect(m.cpu.pc).toBe(main + 8n);
    expect([...m.cpu.r]).toEqual([...s.cpu.r]);
    expect(m.cpu.cycles).toBe(s.cpu.cycles);
    // Continuing from a breakpoint executes it (no immediate re-stop) and the program reaches
    // main+8 again only if it is called again: here it exits.
    expect(bp.id).toBeGreaterThan(0);
    const end = await s.cont();
    expect(end.kind).toBe('exit');
  });

  it('registers, instructions, cycles, output and TLB statistics (exact L1 lookups included) match a run without the debugger (MMU guest)', async () => {
    const plain = await plainRun(MMU);
    const s = await Session.create({ guest: MMU });
    // A breakpoint on every symbol: many stops, in the middle of blocks too.
    for (const name of s.img.symbols.names()) s.addBreakpoint(s.img.symbols.lookup(name)!);
    let stops = 0;
    for (;;) {
      const st = await s.cont();
      if (st.kind === 'exit') break;
      expect(st.kind).toBe('break');
      stops++;
    }
    expect(stops).toBeGreaterThan(10);
    const got = snap(s.m);
    expect({ ...got, tlb: strip(got.tlb) }).toEqual({ ...plain, tlb: strip(plain.tlb) });
  });

  it('single-stepping a whole guest gives the same registers, instruction count, cycles and output', async () => {
    const plain = await plainRun(MMU);
    const s = await Session.create({ guest: MMU });
    let n = 0;
    while (!s.halted) {
      s.step(1);
      n++;
    }
    const got = snap(s.m);
    expect(n).toBe(plain.instret); // one instruction per step, the last one exits
    expect(got.r).toEqual(plain.r);
    expect(got.instret).toBe(plain.instret);
    expect(got.cycles).toBe(plain.cycles);
    expect(got.output).toBe(plain.output);
  });

  it('step n stops early at a breakpoint, and deleted breakpoints no longer stop', async () => {
    const p = asmFile('b.S', '  mov x0, #1\n  mov x1, #2\nmark: mov x2, #3\n  mov x3, #4\n  mov x4, #5');
    const s = await Session.create({ guest: p });
    const mark = s.img.symbols.lookup('mark')!;
    const bp = s.addBreakpoint(mark);
    expect(s.step(4).kind).toBe('break');
    expect(s.cpu.pc).toBe(mark);
    expect(s.cpu.readX(2)).toBe(0n);
    expect(s.deleteBreakpoint(bp.id)).toBe(true);
    expect(s.deleteBreakpoint(bp.id)).toBe(false);
    expect(s.step(2).kind).toBe('step');
    expect(s.cpu.readX(3)).toBe(4n);
  });
});

describe('watchpoints', () => {
  const body = [
    '  adr x1, data',
    '  mov x2, #5',
    '  ldr x9, [x1, #8]', // not watched: the neighbour
    'wr: str x2, [x1]',
    '  add x5, x5, #1',
    'rd: ldr x3, [x1]',
    '  add x4, x3, #1',
    '  b over',
    '.balign 8',
    'data: .quad 0x1111, 0x2222',
    'over:',
  ].join('\n');

  it('a write watchpoint stops before the store: memory and registers untouched, then the store completes', async () => {
    const s = await Session.create({ guest: asmFile('w.S', body) });
    const data = s.img.symbols.lookup('data')!;
    s.addWatchpoint(data, 8, 'w');
    const st = await s.cont();
    expect(st.kind).toBe('watch');
    if (st.kind !== 'watch') return;
    expect(st.write).toBe(true);
    expect(st.addr).toBe(data);
    expect(s.cpu.pc).toBe(s.img.symbols.lookup('wr'));
    expect(s.readMem(data, 8).data).toEqual(new Uint8Array([0x11, 0x11, 0, 0, 0, 0, 0, 0]));
    // Resuming lets that access through (no re-stop) and the write lands.
    expect(s.step(1).kind).toBe('step');
    expect(s.readMem(data, 1).data[0]).toBe(5);
    // A write watchpoint ignores the read at rd.
    expect((await s.cont()).kind).toBe('exit');
    expect(s.result?.exitCode).toBe(7);
  });

  it('a read watchpoint stops before the load; rw sees both; the firmware reading guest memory does not trigger it', async () => {
    const s = await Session.create({ guest: asmFile('r.S', body) });
    const data = s.img.symbols.lookup('data')!;
    s.addWatchpoint(data, 4, 'r');
    const st = await s.cont();
    expect(st.kind).toBe('watch');
    expect(s.cpu.pc).toBe(s.img.symbols.lookup('rd'));
    expect(s.cpu.readX(3)).toBe(0n);
    s.clearAll();
    // Semihosting reads its parameter block with guest loads: a watchpoint there stays silent.
    s.addWatchpoint(s.img.symbols.lookup('exitblk')!, 16, 'rw');
    const end = await s.cont();
    expect(end.kind).toBe('exit');
    expect(s.cpu.readX(3)).toBe(5n);
    expect(s.cpu.readX(4)).toBe(6n);

    const s2 = await Session.create({ guest: asmFile('rw.S', body) });
    s2.addWatchpoint(s2.img.symbols.lookup('data')!, 8, 'rw');
    expect((await s2.cont()).kind).toBe('watch');
    expect(s2.cpu.pc).toBe(s2.img.symbols.lookup('wr'));
    expect((await s2.cont()).kind).toBe('watch');
    expect(s2.cpu.pc).toBe(s2.img.symbols.lookup('rd'));
  });

  it('with a watchpoint set, registers, cycles and TLB counters (exact L1 lookups included) match', async () => {
    const plain = await plainRun(MMU);
    const s = await Session.create({ guest: MMU });
    s.addWatchpoint(0x7000_0000n, 8, 'rw'); // nowhere the guest goes
    expect((await s.cont()).kind).toBe('exit');
    const got = snap(s.m);
    expect(got.r).toEqual(plain.r);
    expect(got.cycles).toBe(plain.cycles);
    expect(got.instret).toBe(plain.instret);
    expect(strip(got.tlb)).toEqual(strip(plain.tlb));
  });
});

describe('memory access by the debugger', () => {
  it('reads by VA, IPA and PA without device reads; writes drop decoded code', async () => {
    const p = asmFile('m.S', '  mov x0, #1\npatch: mov x1, #1\n  mov x2, #2');
    const s = await Session.create({ guest: p });
    const patch = s.img.symbols.lookup('patch')!;
    expect(s.readMem(patch, 4).data).toEqual(s.readMem(patch, 4, 'pa').data);
    expect(s.readMem(patch, 4, 'ipa').data).toEqual(s.readMem(patch, 4, 'pa').data); // stage 2 off
    const uart = s.readMem(0x0900_0000n, 4, 'pa');
    expect(uart.data.length).toBe(0);
    expect(uart.error).toMatch(/not RAM.*pl011|not RAM/i);
    s.step(1); // decodes the block containing `patch`
    // mov x1, #0x2a (0xd2800541) replaces mov x1, #1.
    expect(s.writeMem(patch, new Uint8Array([0x41, 0x05, 0x80, 0xd2]))).toBeUndefined();
    s.step(1);
    expect(s.cpu.readX(1)).toBe(0x2an);
  });
});

describe('under the hypervisor', () => {
  it('breakpoints on every symbol of two VMs leave instructions, cycles, exits, world switches and output unchanged', async () => {
    const { Hypervisor } = await import('../../src/hyp/hypervisor.js');
    const { loadIntoVm } = await import('../../src/hyp/load.js');
    const PRINTF = join(ROOT, 'guests', 'build', 'printf.elf');
    const out: string[] = ['', ''];
    const hv = new Hypervisor({ vms: [{}, {}], slice: 5000, onOutput: (vm, t) => (out[vm.id] += t) });
    hv.boot(hv.vms[0], await loadIntoVm(hv.vms[0], MMU));
    hv.boot(hv.vms[1], await loadIntoVm(hv.vms[1], PRINTF));
    expect(hv.run().reason).toBe('done');

    let text = '';
    const s = await Session.create({ guest: MMU, hyp: { more: [PRINTF], slice: 5000 }, onOutput: (t) => (text += t) });
    for (const img of s.images) for (const name of img.symbols.names()) s.addBreakpoint(img.symbols.lookup(name)!);
    let stops = 0;
    for (;;) {
      const st = await s.cont();
      if (st.kind === 'exit') break;
      expect(st.kind).toBe('break');
      stops++;
    }
    expect(stops).toBeGreaterThan(50);
    const shv = s.hv!;
    expect(s.cpu.instret).toBe(hv.cpu.instret);
    expect(s.cpu.cycles).toBe(hv.cpu.cycles);
    expect(shv.switches).toBe(hv.switches);
    for (const k of [0, 1]) {
      expect(shv.vms[k].stats.toJSON()).toEqual(hv.vms[k].stats.toJSON());
      expect([...shv.vms[k].vcpu.r]).toEqual([...hv.vms[k].vcpu.r]);
      expect(shv.vms[k].stop).toEqual(hv.vms[k].stop);
    }
    const lines = (t: string, tag: string): string[] =>
      t.split('\n').filter((l) => l.startsWith(tag)).map((l) => l.slice(tag.length));
    expect(lines(text, '[vm0] ').join('\n')).toBe(out[0].trimEnd());
    expect(lines(text, '[vm1] ').join('\n')).toBe(out[1].trimEnd());
    expect(strip(mmuOf(s.cpu).tlb.snapshot())).toEqual(strip(mmuOf(hv.cpu).tlb.snapshot()));
  });
});
