// The debugger's own breakpoints and watchpoints (src/debug/session.ts) stay invisible to the
// guest and coexist with the guest's self-hosted ones on the same instruction and the same data:
// the debugger stops first, and on resume the guest's debug exception is taken as without it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../../src/debug/session.js';
import { debugGuestSource, movImm, readRecs } from './debug-guest.js';

const KDE = 1 << 13;
const MDE = 1 << 15;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-gdbg-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A guest breakpoint on `target` and a guest store watchpoint on `data`; the handler returns with
// PSTATE.D set, so each fires once. Ends with semihosting SYS_EXIT_EXTENDED.
const BODY = [
  'adr x9, target',
  'msr dbgbvr0_el1, x9',
  movImm('x1', (0xf << 5) | (1 << 1) | 1),
  'msr dbgbcr0_el1, x1',
  'adr x8, data',
  'msr dbgwvr0_el1, x8',
  movImm('x1', (0xff << 5) | (2 << 3) | (1 << 1) | 1),
  'msr dbgwcr0_el1, x1',
  movImm('x1', KDE | MDE),
  'msr mdscr_el1, x1',
  'isb',
  'msr daifclr, #8',
  'target: mov x4, #0x66',
  'msr daifclr, #8',
  'str x4, [x8]',
  'ldr x5, [x8]',
].join('\n');
const EXIT = 'mov x0, #0x20\nadr x1, exitblk\nhlt #0xf000\n.balign 8\nexitblk: .quad 0x20026, 0\n.balign 8\ndata: .quad 0\n';

async function session(): Promise<Session> {
  const p = join(dir, 'g.S');
  writeFileSync(p, `_start:\n${debugGuestSource(BODY, { orSpsr: 1n << 9n }, EXIT)}`);
  return Session.create({ guest: p });
}

describe('guest self-hosted debug with the debugger attached', () => {
  it('a debugger breakpoint and watchpoint on the guest\'s own: the debugger stops first, the guest still takes both exceptions, and the end state equals a run without the debugger', async () => {
    const plain = await session();
    const end0 = await plain.cont();
    expect(end0.kind).toBe('exit');
    const want = readRecs(plain.m);
    expect(want.map((r) => r.ec)).toEqual([0x31, 0x35]);

    const s = await session();
    const target = s.img.symbols.lookup('target')!;
    const data = s.img.symbols.lookup('data')!;
    s.addBreakpoint(target, 'hw');
    s.addWatchpoint(data, 8, 'w');
    const st1 = await s.cont();
    expect(st1.kind).toBe('break');
    expect(s.cpu.pc).toBe(target);
    expect(s.cpu.readX(22)).toBe(0n); // the guest has seen nothing
    // Resumed: the guest's breakpoint fires, its handler returns to `target`, where the
    // debugger's breakpoint stops again (the PC reached it again).
    const st2 = await s.cont();
    expect(st2.kind).toBe('break');
    expect(s.cpu.readX(22)).toBe(1n);
    const st3 = await s.cont();
    expect(st3.kind).toBe('watch');
    expect(s.cpu.readX(22)).toBe(1n); // the store has not been tried yet by the guest
    let st = await s.cont();
    // The store resumed past the debugger's watchpoint hits the guest's: exception, return, store again.
    while (st.kind === 'watch') st = await s.cont();
    expect(st.kind).toBe('exit');
    expect(readRecs(s.m)).toEqual(want);
    expect(s.cpu.readX(5)).toBe(0x66n);
    expect(s.cpu.instret).toBe(plain.cpu.instret);
    expect(s.cpu.cycles).toBe(plain.cpu.cycles);
  });
});
