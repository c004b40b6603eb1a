// The guest's console on a terminal (src/cli-console.ts): raw mode, so the guest alone echoes what
// is typed and terminal replies reach it at once; Ctrl-C and QEMU's Ctrl-A escapes for a64hv.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli.js';
import { ConsoleKeys, rawConsole } from '../../src/cli-console.js';
import { irqEchoGuest } from './irq-echo-guest.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('ConsoleKeys', () => {
  it('passes typed keys and terminal replies through unchanged (a cursor-position report ESC[24;80R)', () => {
    let n = 0;
    const k = new ConsoleKeys(() => n++);
    expect(text(k.feed(bytes('ls -l\r')))).toBe('ls -l\r');
    expect(text(k.feed(bytes('\x1b[24;80R')))).toBe('\x1b[24;80R');
    expect(n).toBe(0);
  });
  it("Ctrl-C and Ctrl-A x are a64hv's (interrupt); Ctrl-A c sends a Ctrl-C, Ctrl-A Ctrl-A one Ctrl-A, across chunks too", () => {
    let n = 0;
    const k = new ConsoleKeys(() => n++);
    expect([...k.feed(Uint8Array.of(0x61, 0x03, 0x62))]).toEqual([0x61, 0x62]);
    expect(n).toBe(1);
    expect([...k.feed(Uint8Array.of(0x01, 0x78))]).toEqual([]);
    expect(n).toBe(2);
    expect([...k.feed(Uint8Array.of(0x01, 0x63, 0x01, 0x01))]).toEqual([0x03, 0x01]);
    expect([...k.feed(Uint8Array.of(0x01))]).toEqual([]); // held: the next byte decides
    expect([...k.feed(Uint8Array.of(0x7a))]).toEqual([0x01, 0x7a]); // not an escape: both to the guest
    expect(n).toBe(2);
  });
  it('rawConsole: raw mode on a terminal only, put back once', () => {
    const calls: boolean[] = [];
    const tty = { isTTY: true, setRawMode: (r: boolean) => calls.push(r) };
    const c = rawConsole(tty, () => {})!;
    expect(calls).toEqual([true]);
    c.restore();
    c.restore();
    expect(calls).toEqual([true, false]);
    expect(rawConsole({ isTTY: false, setRawMode: () => calls.push(true) }, () => {})).toBeNull();
    expect(rawConsole({}, () => {})).toBeNull();
  });
});

// Echoes each character received on the PL011 (receive interrupt), exits 42 after two (as
// test/cli/cli.test.ts's interactive guest).
const IRQ_ECHO = irqEchoGuest();

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-console-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run on a terminal', () => {
  for (const hyp of [false, true]) {
    it(`raw mode for the run, each key reaches the guest as typed and is echoed once (by the guest); Ctrl-C interrupts${hyp ? ' (--hyp)' : ''}`, async () => {
      const guest = join(dir, `echo${hyp ? '-hyp' : ''}.S`);
      writeFileSync(guest, IRQ_ECHO);
      const raw: boolean[] = [];
      const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (r: boolean) => raw.push(r) });
      let interrupts = 0;
      // A key at a time, no Enter: raw mode delivers each at once. Ctrl-C first: a64hv's, not the guest's.
      setTimeout(() => stdin.write('\x03'), 20);
      setTimeout(() => stdin.write('o'), 40);
      setTimeout(() => stdin.write('k'), 80);
      let out = '';
      const code = await main(['run', guest, '-q', ...(hyp ? ['--hyp'] : [])], {
        stdout: { write: (s: string) => (out += s) },
        stderr: { write: () => true },
        stdin,
        interrupt: () => interrupts++,
      });
      expect(code).toBe(42);
      expect(out).toBe('ok');
      expect(interrupts).toBe(1);
      expect(raw).toEqual([true, false]);
    });
  }
});
