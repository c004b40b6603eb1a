// The progress line of long runs (a terminal only) and idle WFI time apart in the figures
// (src/cli-progress.ts). Time is a clock the test drives: nothing depends on the host's speed.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { RunMeter, wallRows, cpiText, PROGRESS_AFTER_MS } from '../../src/cli-progress.js';
import { ManualClock } from '../manual-clock.js';
import { irqEchoGuest } from './irq-echo-guest.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-progress-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A sink that says it is a terminal (as process.stderr on one). */
const tty = (): { isTTY: true; text: string; write: (s: string) => boolean } => {
  const t = { isTTY: true as const, text: '', write: (s: string) => ((t.text += s), true) };
  return t;
};
const ERASE = '\r\x1b[K';

describe('RunMeter', () => {
  it('draws nothing before 1 s of computing, then a line at most every 250 ms; erased at the end', () => {
    const clock = new ManualClock();
    const err = tty();
    const m = new RunMeter(err, tty(), clock);
    m.begin();
    clock.advance(PROGRESS_AFTER_MS - 1);
    m.tick(1_000_000, 2e6);
    expect(err.text).toBe('');
    clock.advance(1);
    m.tick(50_000_000, 1e9); // 50M instructions in 1 s; 1e9 cycles at 1 GHz: 1 s modelled
    expect(err.text).toBe(`${ERASE}a64hv: 50.0M instructions, 50.0 MIPS, 1.000 s modelled`);
    clock.advance(100);
    m.tick(60_000_000, 1.2e9);
    expect(err.text.split(ERASE).length).toBe(2); // not redrawn within 250 ms
    clock.advance(150);
    m.tick(70_000_000, 1.4e9);
    expect(err.text.endsWith(`${ERASE}a64hv: 70.0M instructions, 56.0 MIPS, 1.400 s modelled`)).toBe(true);
    m.erase();
    expect(err.text.endsWith(ERASE)).toBe(true);
    const n = err.text.length;
    m.erase(); // nothing shown: nothing to erase
    expect(err.text.length).toBe(n);
  });
  it('makes way for the guest: erased before its output, not drawn while its line is unfinished', () => {
    const clock = new ManualClock();
    const err = tty();
    const m = new RunMeter(err, tty(), clock);
    clock.advance(2000);
    m.tick(1, 1);
    expect(err.text.startsWith(ERASE + 'a64hv: ')).toBe(true);
    m.output('$ '); // a prompt: the cursor is after it
    expect(err.text.endsWith(ERASE)).toBe(true);
    const n = err.text.length;
    clock.advance(1000);
    m.tick(2, 2);
    expect(err.text.length).toBe(n);
    m.output('done\n');
    clock.advance(1000);
    m.tick(3, 3);
    expect(err.text.length).toBeGreaterThan(n);
  });
  it('off when stderr is not a terminal, or when disabled (--trace, --log on stderr)', () => {
    const clock = new ManualClock();
    const plain = { text: '', write(s: string) { this.text += s; } };
    const a = new RunMeter(plain, plain, clock);
    const err = tty();
    const b = new RunMeter(err, tty(), clock, false);
    clock.advance(5000);
    a.tick(1, 1);
    b.tick(1, 1);
    expect(plain.text + err.text).toBe('');
  });
  it('idle waits are counted apart: MIPS over the rest; CPI of the instructions without the idle WFI cycles', async () => {
    const clock = new ManualClock();
    const m = new RunMeter(tty(), tty(), clock);
    m.begin();
    clock.advance(20);
    const wait = m.idle(clock.nextAfter().then(() => 0));
    clock.after(0, () => {});
    await wait;
    const w2 = m.idle(new Promise<void>((res) => clock.after(80, res)));
    clock.advance(80);
    await w2;
    expect(m.idleMs).toBe(80);
    expect(m.wallMs()).toBe(100);
    expect(m.busyMs()).toBe(20);
    expect(wallRows(m, 2_000_000, 100)).toEqual([
      ['wall time', '100.0 ms (80.0 ms idle: the guest asleep in WFI, waiting for its timer or input)'],
      ['MIPS', '100.00 (over the 20.0 ms not idle)'],
    ]);
    expect(wallRows(new RunMeter(tty(), tty(), clock), 1000, 10)).toEqual([['wall time', '10.0 ms'], ['MIPS', '0.10']]);
    expect(cpiText(1000, 0, 500, 'a57')).toBe('2.000 (a57 timing)');
    expect(cpiText(1_000_500, 1_000_000, 500, 'a57')).toBe('1.000 (a57 timing; 2001.000 with the idle WFI cycles)');
  });
});

// An interactive guest asleep in WFI with its timer 1 s ahead (the PPI not enabled): it wakes on
// the UART's receive interrupt, echoes, and exits 42 after two characters (as test/cli/cli.test.ts).
const IRQ_ECHO_TIMER = irqEchoGuest({ timer: true });

describe('the figures of an interactive run', () => {
  for (const hyp of [false, true]) {
    it(`count the 80 ms asleep in WFI apart from the time computed (wall time, MIPS; --stats-json idleWallMs)${hyp ? ' (--hyp)' : ''}`, async () => {
      const { PassThrough } = await import('node:stream');
      const guest = join(dir, `echo${hyp ? '-hyp' : ''}.S`);
      writeFileSync(guest, IRQ_ECHO_TIMER);
      const stdin = new PassThrough();
      const clock = new ManualClock();
      let out = '';
      let err = '';
      let idle = clock.nextAfter();
      const run = main(['run', guest, '--stats-json', '-', ...(hyp ? ['--hyp'] : [])], {
        stdout: { write: (t: string) => (out += t) },
        stderr: { write: (t: string) => (err += t) },
        stdin,
        clock,
      });
      await idle;
      idle = clock.nextAfter();
      clock.advance(30);
      stdin.write('o');
      await idle;
      clock.advance(50);
      stdin.end('k');
      expect(await run).toBe(42);
      // The clock only moved while the guest slept: all 80 ms are idle.
      expect(err).toMatch(/wall time +│ 80\.0 ms \(80\.0 ms idle: the guest asleep in WFI, waiting for its timer or input\)/);
      expect(err).toMatch(/MIPS +│ 0\.00 \(over the 0\.0 ms not idle\)/);
      if (!hyp) expect(err).toMatch(/CPI +│ \d+\.\d{3} \(a57 timing; \d+\.\d{3} with the idle WFI cycles\)/);
      const j = JSON.parse(out.slice(out.indexOf('{'))) as { wallMs: number; idleWallMs: number };
      expect([j.wallMs, j.idleWallMs]).toEqual([80, 80]);
    });
  }
});

describe('the progress line in a run', () => {
  it('appears on a terminal stderr during a long run and is erased before the figures; never without a terminal', async () => {
    // A clock that moves 400 ms each time it is read: every slice boundary is "late enough".
    let t = 0;
    const clock = { now: () => (t += 400), after: (_ms: number, fn: () => void) => (setImmediate(fn), () => {}) };
    const loop = join(__dirname, '..', '..', 'guests', 'asm', 'loop.S');
    const err = tty();
    const code = await main(['run', loop, '--engine', 'jit', '--max-insns', '12000000'], { stdout: { write: () => true }, stderr: err, clock });
    expect(code).toBe(0);
    const lines = err.text.split(ERASE).filter((s) => s.startsWith('a64hv: '));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/^a64hv: [48]\.0M instructions, [\d.]+ MIPS, [\d.]+ s modelled$/);
    // Erased before the figures table.
    expect(err.text).toMatch(/\r\x1b\[K\n?┌[\s\S]*instructions +│ 12,000,000/);
    let plain = '';
    await main(['run', loop, '--engine', 'jit', '--max-insns', '12000000', '-q'], { stdout: { write: () => true }, stderr: { write: (s: string) => (plain += s) }, clock });
    expect(plain).toBe('');
  });
});
