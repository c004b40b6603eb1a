// The command line, through main(argv, io) (one test spawns the real launcher).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { main } from '../../src/cli.js';
import { ManualClock } from '../manual-clock.js';
import { irqEchoGuest } from './irq-echo-guest.js';

const ROOT = join(__dirname, '..', '..');
const DEMO = join(ROOT, 'guests', 'asm', 'hello.S');
const HELLO = join(ROOT, 'test', 'fixtures', 'uart-hello.S');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const EXIT42 = 'mov x0, #0x18\nadr x1, blk\nhlt #0xf000\n.balign 8\nblk: .quad 0x20026, 42\n';

describe('a64hv CLI', () => {
  it('--help and run --help document the commands and options, exit 0', async () => {
    const a = await cli('--help');
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/run \[options\] <guest>/);
    expect(a.out).toMatch(/demo/);
    const b = await cli('run', '--help');
    expect(b.code).toBe(0);
    for (const o of ['--max-insns', '--trace', '--regs-in', '--regs-out', '--load', '--dump', '--stats-json', '--ram', '--uart-input', '--no-semihosting', '--quiet']) {
      expect(b.out).toContain(o);
    }
  });

  it('no arguments prints help and exits 2; an unknown option is a one-line error, exit 2', async () => {
    expect((await cli()).code).toBe(2);
    const r = await cli('run', HELLO, '--frobnicate');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^a64hv: error: unknown option '--frobnicate'/);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('runs a guest: console output on stdout, the figures table on stderr, exit status 0 after SYSTEM_OFF', async () => {
    const r = await cli('run', HELLO);
    expect(r.code).toBe(0);
    expect(r.out).toBe('hi\n');
    // adr, movz, 3 x (ldrb, cbz, str, b), ldrb, cbz, movz, movk, hvc
    expect(r.err).toMatch(/instructions\s*│\s*19\s/);
    expect(r.err).toMatch(/MIPS/);
    expect(r.err).toMatch(/SYSTEM_OFF/);
  });

  it('--quiet drops the table', async () => {
    const r = await cli('run', HELLO, '--quiet');
    expect(r.err).toBe('');
  });

  it('the exit status is the guest\'s semihosting exit status', async () => {
    const r = await cli('run', file('exit.S', EXIT42), '-q');
    expect(r.code).toBe(42);
  });

  it('--max-insns stops after exactly N instructions; --stats-json and --regs-out record the state', async () => {
    const stats = join(dir, 'stats.json');
    const regs = join(dir, 'regs.json');
    const r = await cli('run', HELLO, '--max-insns', '2', '--stats-json', stats, '--regs-out', regs, '-q');
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(stats, 'utf8'));
    expect(s).toMatchObject({ instructions: 2, exitReason: 'limit' });
    expect(Object.keys(s).sort()).toEqual(['config', 'cpi', 'cycles', 'dma', 'exitCode', 'exitReason', 'idleCycles', 'idleWallMs', 'instructions', 'interrupts', 'mips', 'regions', 'timing', 'tlb', 'wallMs']);
    expect(s.timing).toBe('a57');
    // MMU off: no stage-1 walks; the TLB levels are reported with their geometry.
    expect(s.tlb.walks.s1Walks).toBe(0);
    expect(s.tlb.l1d.entries).toBe(32);
    const j = JSON.parse(readFileSync(regs, 'utf8'));
    expect(j.pc).toBe('0x0000000040000008');
    expect(j.x[1]).toBe('0x0000000040000024');
    expect(j.x).toHaveLength(31);
    expect(j.x[2]).toBe('0x0000000009000000');
    expect(j.el).toBe(1);
    expect(j.nzcv).toBe('0x40000000'); // QEMU's reset PSTATE has Z set
  });

  it('--timing functional makes cycles equal instructions; an unknown profile is a usage error', async () => {
    const stats = join(dir, 'stats-f.json');
    const r = await cli('run', file('div.S', 'udiv x0, x1, x2\nudiv x0, x1, x2\n'), '--max-insns', '2', '--timing', 'functional', '--stats-json', stats, '-q');
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(stats, 'utf8'));
    expect([s.instructions, s.cycles, s.cpi, s.timing]).toEqual([2, 2, 1, 'functional']);
    const a = await cli('run', file('div2.S', 'udiv x0, x1, x2\nudiv x0, x1, x2\n'), '--max-insns', '2', '--stats-json', stats, '-q');
    expect(a.code).toBe(0);
    expect(JSON.parse(readFileSync(stats, 'utf8')).cycles).toBe(40); // a57: 64-bit UDIV costs 20
    const bad = await cli('run', HELLO, '--timing', 'm1');
    expect(bad.code).toBe(2);
    expect(bad.err).toBe("a64hv: error: --timing m1: unknown profile (known: a57, functional, cortex-a53, cortex-a57, cortex-a72)\n");
  });

  it('--engine jit gives the interpreter\'s figures (bare and --hyp); an unknown engine is a usage error', async () => {
    const figures = async (...extra: string[]): Promise<unknown> => {
      const stats = join(dir, 'stats-engine.json');
      const r = await cli('run', join(ROOT, 'guests', 'build', 'sort.elf'), '--stats-json', stats, '-q', ...extra);
      expect(r.code).toBe(0);
      const s = JSON.parse(readFileSync(stats, 'utf8'));
      return [s.instructions, s.cycles, s.interrupts, s.tlb, r.out];
    };
    expect(await figures('--engine', 'jit')).toEqual(await figures('--engine', 'interp'));
    expect(await figures('--hyp', '--engine', 'jit')).toEqual(await figures('--hyp', '--engine', 'interp'));
    const bad = await cli('run', HELLO, '--engine', 'fast');
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('a64hv: error: --engine fast: unknown engine (known: interp, jit)\n');
  });

  it('--timing applies under --hyp too: functional charges nothing for exits and switches', async () => {
    const stats = join(dir, 'stats-hf.json');
    const r = await cli('run', join(ROOT, 'guests', 'build', 'hello.elf'), '--hyp', '--timing', 'functional', '--stats-json', stats, '-q');
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(stats, 'utf8'));
    expect(s.cycles).toBe(s.instructions);
    expect([s.hyp.timing, s.hyp.exitCostCycles]).toEqual(['functional', 0]);
  });

  it('--regs-in sets registers before the run (and round-trips --regs-out)', async () => {
    const regsIn = file('in.json', JSON.stringify({ x: Array.from({ length: 31 }, (_, k) => `0x${k.toString(16)}`), sp_el1: '0x40001000', nzcv: '0x20000000' }));
    const out = join(dir, 'out.json');
    const r = await cli('run', file('nop.S', 'add x5, x5, #1\n'), '--max-insns', '1', '--regs-in', regsIn, '--regs-out', out, '-q');
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.x[5]).toBe('0x0000000000000006');
    expect(j.x[30]).toBe('0x000000000000001e');
    expect(j.sp_el1).toBe('0x0000000040001000');
    expect(j.nzcv).toBe('0x20000000');
  });

  it('bad --regs-in files are one-line errors with exit 2', async () => {
    const nop = file('nop2.S', 'nop\n');
    const cases: [string, RegExp][] = [
      ['{not json', /invalid JSON/],
      ['[1]', /expected a JSON object/],
      ['{"x": [1]}', /x must be an array of 31 hex strings/],
      ['{"pc": 5}', /pc must be a hex string/],
      ['{"el": 2}', /el must be 0 or 1/],
      ['{"nzcv": "0x1"}', /nzcv has bits outside 31:28/],
      ['{"foo": "0x1"}', /unknown key 'foo'/],
    ];
    for (const [text, re] of cases) {
      const r = await cli('run', nop, '--regs-in', file('bad.json', text), '-q');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });

  it('--load places data and --dump writes memory at the end', async () => {
    const data = join(dir, 'data.bin');
    writeFileSync(data, Buffer.from('DATA'));
    const dump = join(dir, 'dump.bin');
    const src = file('copy.S', 'ldr w1, [x2]\nadd w1, w1, #1\nstr w1, [x2, #4]\n');
    const regs = file('r.json', JSON.stringify({ x: Array.from({ length: 31 }, (_, k) => (k === 2 ? '0x40100000' : '0x0')) }));
    const r = await cli('run', src, '--load', `${data}@0x40100000`, '--regs-in', regs, '--max-insns', '3', '--dump', `0x40100000:8:${dump}`, '-q');
    expect(r.code).toBe(0);
    expect(Buffer.from(readFileSync(dump)).toString('latin1')).toBe('DATAEATA');
  });

  it('bad --dump, --load, --ram, --max-insns values are one-line errors with exit 2', async () => {
    const nop = file('nop3.S', 'nop\n');
    const cases: [string[], RegExp][] = [
      [['--dump', '0x40000000:8'], /expected ADDR:LEN:FILE/],
      [['--dump', `0x10:8:${join(dir, 'x')}`], /outside RAM/],
      [['--load', 'nofile@0x40000000'], /nofile: no such file/],
      [['--ram', '3'], /RAM must be a multiple of 4K between 64K and 1G/],
      [['--ram', 'lots'], /bad size 'lots'/],
      [['--max-insns', '-5'], /expected a non-negative integer/],
      [['--addr', '0xzz'], /bad address/],
    ];
    for (const [args, re] of cases) {
      const r = await cli('run', nop, ...args, '--max-insns' === args[0] ? '-q' : '--max-insns=1', '-q');
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(re);
    }
  });

  it('a missing guest file is a one-line error, exit 2; an assembly error names file:line', async () => {
    const a = await cli('run', join(dir, 'missing.elf'));
    expect(a.code).toBe(2);
    expect(a.err).toBe(`a64hv: error: ${join(dir, 'missing.elf')}: no such file\n`);
    const b = await cli('run', file('bad.S', 'nop\nfrob\n'));
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/^a64hv: error: bad\.S:2: Invalid mnemonic/);
  });

  it('a guest that stops on an error exits 1 with a one-line a64hv: error message', async () => {
    // Jumping to address 0 (no RAM, VBAR_EL1 = 0) loses the guest in the void.
    const r = await cli('run', file('lost.S', 'mov x0, #0\nbr x0\n'), '-q');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^a64hv: error: the guest is lost/);
  });

  it('--no-semihosting makes HLT #0xF000 UNDEFINED (here: lost with VBAR_EL1 = 0, exit 1)', async () => {
    const exit = file('exit2.S', EXIT42);
    expect((await cli('run', exit, '-q')).code).toBe(42);
    expect((await cli('run', exit, '-q', '--no-semihosting')).code).toBe(1);
  });

  it('--uart-input feeds the PL011 receiver', async () => {
    const echo = file(
      'echo.S',
      `movz x2, #0x0900, lsl #16
       mov x4, #3
     wait: ldr w3, [x2, #0x18]
       tbnz w3, #4, wait
       ldrb w0, [x2]
       add w0, w0, #1
       strb w0, [x2]
       subs x4, x4, #1
       b.ne wait
       ${EXIT42}`,
    );
    const r = await cli('run', echo, '--uart-input', 'HAL', '-q');
    expect(r.out).toBe('IBM');
    expect(r.code).toBe(42);
  });

  it('without --uart-input, a stream on stdin feeds the UART as data arrives', async () => {
    const { Readable } = await import('node:stream');
    const echo = file(
      'echo2.S',
      `movz x2, #0x0900, lsl #16
       mov x4, #2
     wait: ldr w3, [x2, #0x18]
       tbnz w3, #4, wait
       ldrb w0, [x2]
       strb w0, [x2]
       subs x4, x4, #1
       b.ne wait
       ${EXIT42}`,
    );
    let out = '';
    const code = await main(['run', echo, '-q'], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => true },
      stdin: Readable.from([Buffer.from('o'), Buffer.from('k')]),
    });
    expect(out).toBe('ok');
    expect(code).toBe(42);
  });

  // A guest that sleeps in WFI until the UART's receive interrupt (GIC SPI 33) wakes it, echoes
  // two bytes from its IRQ handler and exits 42: on the bare board and as a VM under --hyp.
  const IRQ_ECHO = irqEchoGuest();
  for (const hyp of [false, true]) {
    it(`a guest asleep in WFI waits for interactive stdin to raise its UART interrupt${hyp ? ' (--hyp)' : ''}`, async () => {
      const { PassThrough } = await import('node:stream');
      const guest = file('irq-echo.S', IRQ_ECHO);
      const stdin = new PassThrough();
      setTimeout(() => stdin.write('o'), 30);
      setTimeout(() => stdin.end('k'), 80);
      let out = '';
      const code = await main(['run', guest, '-q', ...(hyp ? ['--hyp'] : [])], {
        stdout: { write: (s: string) => (out += s) },
        stderr: { write: () => true },
        stdin,
      });
      expect(out).toBe('ok');
      expect(code).toBe(42);
    });
  }
  for (const hyp of [false, true]) {
    it(`interactive and idle with a timer armed 1 s ahead: real time passes, input wakes it early${hyp ? ' (--hyp)' : ''}`, async () => {
      // The virtual timer is enabled 1 s (modelled) ahead but its PPI is not enabled in the GIC.
      // A non-interactive run would skip to that deadline at the first WFI; with stdin open the
      // wait is host time, cut short by the input (after 30 and 80 ms), so the guest finishes
      // with modelled time at the host time elapsed, far below 1 s. The host time is a clock the
      // test advances (it used real timers and failed 3 runs in 4 on a loaded 2-core machine).
      const { PassThrough } = await import('node:stream');
      const armed = irqEchoGuest({ timer: true });
      const guest = file(`irq-echo-timer${hyp ? '-hyp' : ''}.S`, armed);
      const stats = join(dir, `pace${hyp ? '-hyp' : ''}.json`);
      const stdin = new PassThrough();
      const clock = new ManualClock();
      let out = '';
      let idle = clock.nextAfter();
      const run = main(['run', guest, '-q', '--stats-json', stats, ...(hyp ? ['--hyp'] : [])], {
        stdout: { write: (t: string) => (out += t) },
        stderr: { write: () => true },
        stdin,
        clock,
      });
      await idle; // asleep in WFI, the timer 1 s ahead
      idle = clock.nextAfter();
      clock.advance(30);
      stdin.write('o');
      await idle; // asleep again after echoing 'o'
      clock.advance(50);
      stdin.end('k');
      const code = await run;
      expect(out).toBe('ok');
      expect(code).toBe(42);
      const cycles = JSON.parse(readFileSync(stats, 'utf8')).cycles as number;
      // The 80 ms of host time (1 GHz modelled) plus the few instructions run.
      expect(cycles).toBeGreaterThanOrEqual(8e7);
      expect(cycles).toBeLessThan(8e7 + 1e6);
    });
  }
  it('with stdin at its end, a WFI nothing can wake stops the guest with an error', async () => {
    const { PassThrough } = await import('node:stream');
    const stdin = new PassThrough();
    stdin.end();
    let err = '';
    const code = await main(['run', file('irq-echo2.S', IRQ_ECHO), '-q'], { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) }, stdin });
    expect(code).toBe(1);
    expect(err).toContain('WFI with no interrupt source');
  });

  it('--trace prints address, symbol+offset, disassembly and changed registers', async () => {
    const r = await cli('run', HELLO, '--trace', '--max-insns', '3', '-q');
    const lines = r.err.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^0000000040000000 <_start>: adr x1, #0x40000024\s+x1=0x40000024$/);
    expect(lines[1]).toMatch(/<_start\+0x4>: mov x2, #0x9000000\s+x2=0x9000000$/);
    expect(lines[2]).toMatch(/<next_char>: ldrb w0, \[x1\], #1\s+x0=0x68 x1=0x40000025$/);
  });

  it('--trace lists system register writes and the syndrome of an exception the instruction took', async () => {
    const src = file('svc.S', 'ldr x0, =0x40000800\nmsr vbar_el1, x0\nsvc #3\n.balign 0x800\n.space 0x200\nnop\n');
    const r = await cli('run', src, '--trace', '--max-insns', '4', '-q');
    const lines = r.err.trim().split('\n');
    expect(lines[1]).toMatch(/msr vbar_el1, x0\s+vbar_el1=0x40000800$/);
    // SVC: ESR_EL1 = EC 0x15, IL, imm16 3; ELR_EL1 = the next instruction; SPSR_EL1 = EL1h, Z, DAIF.
    expect(lines[2]).toMatch(/svc #3\s+esr_el1=0x56000003 elr_el1=0x4000000c spsr_el1=0x400003c5$/);
    expect(lines[3]).toMatch(/^0000000040000a00: nop$/);
  });

  it('demo runs guests/asm/hello.S, then the C sort guest, with figures for each', async () => {
    expect(existsSync(DEMO)).toBe(true);
    const r = await cli('demo');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Hello from a64hv!/);
    expect(r.out).toMatch(/matches-qsort=yes/);
    // then the hypervisor: a trapped UART read decoded from ESR_EL2, and the exit counts
    expect(r.err).toMatch(/mmio-read pl011 UARTDR \| ISV=1 SAS=2/);
    expect(r.err).toMatch(/exits\s+│ \d+/);
    expect(r.err.match(/instructions/g)?.length).toBe(4);
  });

  it('bin/a64hv launches the CLI and passes the guest exit status to the process', () => {
    const p = spawnSync(join(ROOT, 'bin', 'a64hv'), ['run', file('exit3.S', EXIT42), '-q'], { encoding: 'utf8', timeout: 60_000 });
    expect(p.status).toBe(42);
  });
});

describe('docs/cli.md', () => {
  it('carries the CLI reference as the CLI prints it (npm run readme:cli regenerates it)', async () => {
    const { cliReference } = await import('./cli-reference.js');
    const doc = readFileSync(join(ROOT, 'docs', 'cli.md'), 'utf8');
    expect(doc).toContain(await cliReference());
  });
});
