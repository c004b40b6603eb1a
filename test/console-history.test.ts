// The console history is bounded (issue 14: a guest printing > ~512 MiB ended the run with
// "RangeError: Invalid string length"): the sink sees every character, `.output` keeps the tail.
import { describe, it, expect } from 'vitest';
import { ConsoleHistory, CONSOLE_HISTORY } from '../src/console-history.js';
import { Machine } from '../src/machine.js';
import { assembleSource } from '../src/loader/asm.js';
import { runVms, OFF } from './hyp/hyp-helpers.js';

/** Prints the bytes 'a'..'z' N times on the PL011, then SYSTEM_OFF. */
const chatty = (n: number): string => `
_start:
    movz x2, #0x0900, lsl #16
    mov x3, #${n}
outer:
    mov w0, #'a'
inner:
    str w0, [x2]
    add w0, w0, #1
    cmp w0, #'z'
    b.ls inner
    subs x3, x3, #1
    b.ne outer
    ${OFF}
`;

describe('ConsoleHistory', () => {
  it('keeps everything below the cap, the most recent text above it, and counts what it dropped', () => {
    const h = new ConsoleHistory(100);
    h.append('x'.repeat(60));
    expect(h.toString()).toBe('x'.repeat(60));
    h.append('0123456789'.repeat(5)); // 110 > 100: trimmed to the last 50
    expect(h.toString()).toBe('0123456789'.repeat(5));
    expect(h.dropped).toBe(60);
    // One append larger than the cap keeps its own tail.
    h.append('y'.repeat(1000) + 'END');
    expect(h.toString().endsWith('END')).toBe(true);
    expect(h.toString().length).toBe(50);
    expect(h.dropped + h.toString().length).toBe(60 + 50 + 1003);
  });

  it('appending far more than V8 can hold in one string never throws (amortised trimming)', () => {
    const h = new ConsoleHistory();
    const chunk = 'z'.repeat(1 << 20);
    // 1 GiB of characters through a 16 Mi history: the old `output += text` threw RangeError.
    for (let k = 0; k < 1024; k++) h.append(chunk);
    expect(h.toString().length).toBeLessThanOrEqual(CONSOLE_HISTORY);
    expect(h.dropped + h.toString().length).toBe(1024 * (1 << 20));
  });
});

describe('Machine and Vm keep a bounded output', () => {
  it('a Machine: the sink gets every byte, output the tail', async () => {
    let seen = 0;
    let last = '';
    const m = new Machine({ consoleHistory: 260, onOutput: (t) => ((seen += t.length), (last = t)) });
    const img = await assembleSource(chatty(100), 'chatty.S');
    m.bus.load(Number(img.base), img.code);
    m.boot(img.entry);
    const r = m.run(1_000_000);
    expect(r.reason).toBe('halt'); // PSCI SYSTEM_OFF
    expect(seen).toBe(2600);
    expect(last).toBe('z');
    expect(m.output.length).toBeLessThanOrEqual(260);
    expect(m.output.endsWith('abcdefghijklmnopqrstuvwxyz')).toBe(true);
    expect(m.console.dropped + m.output.length).toBe(2600);
  });

  it('a VM under the hypervisor: the same', async () => {
    const run = await runVms([chatty(100)], { vms: [{ ramSize: 32 << 20, consoleHistory: 260 }] });
    expect(run.vm.output.length).toBeLessThanOrEqual(260);
    expect(run.vm.output.endsWith('xyz')).toBe(true);
    expect(run.vm.console.dropped + run.vm.output.length).toBe(2600);
  });
});
