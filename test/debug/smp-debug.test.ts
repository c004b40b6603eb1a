// The debugger per PE (--smp N): the REPL's `cpu N` / `info cpus`, GDB threads = PEs
// (qfThreadInfo, qC, Hg/Hc, T, thread-specific stop replies, vCont with a thread), packet by
// packet and with gdb-multiarch.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { main } from '../../src/cli.js';
import { GdbStub } from '../../src/debug/gdbstub.js';
import { Session } from '../../src/debug/session.js';
import { fromLeHex } from '../../src/debug/rsp.js';

// PE 0 starts PE 1 at `worker` (context id 0x42) and waits in `main_loop` for PE 1's flag; PE 1
// counts x11 down in `work`, sets the flag and parks. PE 0 then exits with status 7.
const GUEST = `
    .global _start
_start:
    movz x0, #3
    movk x0, #0xc400, lsl #16
    mov x1, #1
    adr x2, worker
    mov x3, #0x42
    hvc #0
    adr x9, flag
main_loop:
    ldr x10, [x9]
    cbz x10, main_loop
    adr x1, argblk
    mov x2, #0x26
    movk x2, #2, lsl #16
    str x2, [x1]
    mov x2, #7
    str x2, [x1, #8]
    mov x0, #0x18
    hlt #0xf000
worker:
    mov x19, x0
    mov x11, #200
work:
    subs x11, x11, #1
    b.ne work
    adr x9, flag
    mov x12, #1
    str x12, [x9]
park:
    wfi
    b park
    .balign 8
argblk: .quad 0, 0
flag: .quad 0
`;

let dir: string;
let guest: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-smpdbg-'));
  guest = join(dir, 'smp.S');
  writeFileSync(guest, GUEST);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function script(lines: string[], extra: string[] = ['--smp', '2']): Promise<{ code: number; out: string; err: string }> {
  const f = join(dir, `s${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(f, lines.join('\n') + '\n');
  let out = '';
  let err = '';
  const code = await main(['repl', guest, '--script', f, ...extra], { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

function section(out: string, cmd: string, nth = 0): string {
  const parts = out.split('(a64hv) ');
  const hits = parts.filter((p) => p.split('\n')[0] === cmd);
  if (hits[nth] === undefined) throw new Error(`no output for '${cmd}' in:\n${out}`);
  return hits[nth].split('\n').slice(1).join('\n');
}

describe('REPL with several PEs', () => {
  it('info cpus, a breakpoint hit by PE 1 selects it, cpu N, step runs the selected PE alone', async () => {
    const r = await script(['info cpus', 'break work', 'continue', 'info cpus', 'regs', 'gic', 'cpu 0', 'info cpus', 'step 5', 'info cpus', 'delete', 'cpu 1', 'stats reset', 'step 3', 'info cpus', 'stats', 'continue']);
    expect(r.err).toBe('');
    // Before the run: PE 0 at _start, PE 1 off (it waits for CPU_ON).
    expect(section(r.out, 'info cpus', 0)).toMatch(/^\* PE 0  MPIDR 0x80000000  running  0 insns  EL1  0x40000000 <_start>\n  PE 1  MPIDR 0x80000001  off      0 insns$/m);
    expect(section(r.out, 'continue', 0)).toMatch(/^breakpoint 1, PE 1, 0x[0-9a-f]+ <work>/);
    const after = section(r.out, 'info cpus', 1);
    expect(after).toMatch(/^  PE 0 .* running .*<main_loop/m);
    expect(after).toMatch(/^\* PE 1  MPIDR 0x80000001  running  2 insns  EL1  0x[0-9a-f]+ <work>/m);
    expect(section(r.out, 'regs')).toMatch(/x19 0x0000000000000042/); // PE 1's registers: the context id
    expect(section(r.out, 'gic')).toMatch(/^physical GIC \(GICv2\), CPU interface 1:/); // PE 1's banked interface
    expect(section(r.out, 'cpu 0')).toMatch(/^PE 0 \(running\)\n=> 0x[0-9a-f]+ <main_loop/);
    // step 5 on PE 0: PE 0 gains exactly 5 instructions, PE 1 none.
    const pe0 = (s: string): number => Number(/PE 0 .*?(\d+) insns/.exec(s)![1]);
    const pe1 = (s: string): number => Number(/PE 1 .*?(\d+) insns/.exec(s)![1]);
    const s2 = section(r.out, 'info cpus', 2);
    const s3 = section(r.out, 'info cpus', 3);
    expect(pe0(s3) - pe0(s2)).toBe(5);
    expect(pe1(s3)).toBe(pe1(s2));
    const s4 = section(r.out, 'info cpus', 4);
    expect(pe1(s4) - pe1(s3)).toBe(3);
    expect(pe0(s4)).toBe(pe0(s3));
    // stats: the selected PE's figures since its own reset, with the SMP counters.
    const st = section(r.out, 'stats');
    expect(st).toMatch(/^PE 1 of 2 \(cpu N selects another\): all PEs \d+ instructions\n/);
    expect(st).toMatch(/exclusive reservations cleared by other PEs 0, TLBI \.\.\.IS sent 0/);
    expect(st).toMatch(/^instructions 3 \(since stats reset\)$/m);
    expect(section(r.out, 'continue', 1)).toMatch(/exited with code 7/);
  });
  it('wrong PE numbers are one-line errors; one PE lists itself', async () => {
    const r = await script(['cpu 2', 'cpu x', 'info', 'info cpus']);
    expect(section(r.out, 'cpu 2')).toMatch(/^error: cpu: expected a PE number 0\.\.1, got '2'\n$/);
    expect(section(r.out, 'cpu x')).toMatch(/^error: cpu: expected a PE number 0\.\.1, got 'x'\n$/);
    expect(section(r.out, 'info')).toMatch(/^error: info: expected 'cpus'/);
    const one = await script(['info cpus'], []);
    expect(section(one.out, 'info cpus')).toMatch(/^\* PE 0  MPIDR 0x80000000  running/);
    expect(one.out).not.toMatch(/PE 1/);
    const bad = await script(['info cpus'], ['--smp', '9']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/--smp 9: the number of PEs must be 1\.\.8/);
  });
});

describe('GDB threads = PEs, packet by packet', () => {
  async function stub(): Promise<{ g: GdbStub; s: Session }> {
    const s = await Session.create({ guest, smp: 2 });
    const g = new GdbStub(s);
    await g.init();
    return { g, s };
  }
  const x = (g: string, n: number): bigint => fromLeHex(g.slice(16 * n, 16 * n + 16));

  it('qfThreadInfo lists every PE, qC the selected one, T says which exist', async () => {
    const { g } = await stub();
    expect(await g.handle('qfThreadInfo')).toBe('m1,2');
    expect(await g.handle('qsThreadInfo')).toBe('l');
    expect(await g.handle('qC')).toBe('QC1');
    expect(await g.handle('T02')).toBe('OK');
    expect(await g.handle('T03')).toBe('E01');
    expect(await g.handle('Hg3')).toBe('E22');
    expect(Buffer.from((await g.handle('qThreadExtraInfo,02'))!, 'hex').toString()).toBe('PE 1, off');
  });
  it('a breakpoint hit by PE 1 reports thread:02; Hg picks whose registers g reads; Hc whose s steps', async () => {
    const { g, s } = await stub();
    const work = s.img.symbols.lookup('work')!;
    expect(await g.handle(`Z0,${work.toString(16)},4`)).toBe('OK');
    expect(await g.handle('c')).toBe('T05thread:02;swbreak:;');
    expect(await g.handle('qC')).toBe('QC2');
    expect(x((await g.handle('g'))!, 19)).toBe(0x42n); // PE 1's X19 (context id)
    expect(x((await g.handle('g'))!, 32)).toBe(work);
    expect(await g.handle('Hg1')).toBe('OK');
    expect(x((await g.handle('g'))!, 19)).toBe(0n); // PE 0 never wrote X19
    const i0 = s.pes[0].instret;
    const i1 = s.pes[1].instret;
    // Hc1 + s: PE 0 alone steps; the stop names thread 1.
    expect(await g.handle('Hc1')).toBe('OK');
    expect(await g.handle('s')).toBe('T05thread:01;');
    expect([s.pes[0].instret - i0, s.pes[1].instret - i1]).toEqual([1, 0]);
    // vCont with a thread: step PE 1 alone.
    expect(await g.handle('vCont;s:2;c')).toBe('T05thread:02;');
    expect([s.pes[0].instret - i0, s.pes[1].instret - i1]).toEqual([1, 1]);
    expect(await g.handle('vCont;s:9')).toBe('E22');
    expect(await g.handle(`z0,${work.toString(16)},4`)).toBe('OK');
    expect(await g.handle('c')).toBe('W07');
  });
});

const HAVE_GDB = spawnSync('gdb-multiarch', ['--version'], { encoding: 'utf8' }).status === 0;
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe.skipIf(!HAVE_GDB)('GDB threads with gdb-multiarch', () => {
  it('info threads shows both PEs; a breakpoint stops in thread 2; thread 1 has its own PC', async () => {
    const A64HV = join(__dirname, '..', '..', 'bin', 'a64hv');
    const emu = spawn(A64HV, ['run', guest, '--smp', '2', '--gdb', '0', '-q'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(emu);
    let err = '';
    const exited = new Promise<number | null>((res) => emu.on('close', (c) => res(c)));
    const port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no port: ${err}`)), 30_000);
      emu.stderr!.on('data', (d) => {
        err += d;
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err);
        if (m) {
          clearTimeout(t);
          resolve(Number(m[1]));
        }
      });
    });
    // The symbols come from a GNU as build of the same source when available; else addresses.
    const s = await Session.create({ guest, smp: 2 });
    const work = s.img.symbols.lookup('work')!;
    const args = ['-batch', '-nx', '-ex', 'set architecture aarch64', '-ex', `target remote 127.0.0.1:${port}`,
      '-ex', 'info threads', '-ex', `break *0x${work.toString(16)}`, '-ex', 'continue', '-ex', 'info threads',
      '-ex', 'print $x19', '-ex', 'thread 1', '-ex', 'print $x19', '-ex', 'delete', '-ex', 'continue'];
    const gdbp = spawn('gdb-multiarch', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(gdbp);
    let text = '';
    gdbp.stdout!.on('data', (d) => (text += d));
    gdbp.stderr!.on('data', (d) => (text += d));
    await new Promise<void>((res) => {
      const t = setTimeout(() => gdbp.kill('SIGKILL'), 60_000);
      gdbp.on('close', () => (clearTimeout(t), res()));
    });
    expect(text).toMatch(/\* 1\s+Thread 1 \(PE 0, running\)/);
    expect(text).toMatch(/\s2\s+Thread 2 \(PE 1, off\)/);
    expect(text).toMatch(/Thread 2 .*hit Breakpoint 1/);
    expect(text).toMatch(/\* 2\s+Thread 2 \(PE 1, running\)/);
    expect(text).toMatch(/\$1 = 66/); // PE 1's X19 = 0x42
    expect(text).toMatch(/\$2 = 0/); // PE 0's
    expect(text).toMatch(/exited with code 07/);
    expect(await exited).toBe(7);
  }, 90_000);
});
