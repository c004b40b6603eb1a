// GDB and a64hv's own target description: the EL1/EL2 system registers (org.a64hv.aarch64.sysregs,
// read with `p` packets), and --gdb-no-wait (QEMU's -s without -S: the guest runs at once, GDB
// attaches later and stops it). End to end with gdb-multiarch; skipped (and said so) without it.
import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { TARGET_XML, REG_SYS0, NUM_ALL_REGS } from '../../src/debug/target-xml.js';
import { GDB_SYSREGS } from '../../src/debug/gdb-sysregs.js';

const ROOT = join(__dirname, '..', '..');
const A64HV = join(ROOT, 'bin', 'a64hv');
const EXC = join(ROOT, 'guests', 'build', 'exceptions.elf');
const HAVE_GDB = spawnSync('gdb-multiarch', ['--version'], { encoding: 'utf8' }).status === 0;
if (!HAVE_GDB) console.warn('test/debug/gdb-sysregs.test.ts: SKIPPED: gdb-multiarch is not installed (apt-get install gdb-multiarch)');

// Prints "started", then spins at `spin` for ever (GDB finds it there whenever it attaches).
const SPIN = `
_start:
  adr x1, msg
  movz x2, #0x0900, lsl #16
next:
  ldrb w0, [x1], #1
  cbz w0, spin
  str w0, [x2]
  b next
spin:
  add x3, x3, #1
  b spin
msg:
  .asciz "started\\n"
`;

const children: ChildProcess[] = [];
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-gdb-sys-'));
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Emu {
  port: number;
  out: () => string;
  exit: Promise<{ code: number | null; out: string; err: string }>;
}

/** Start `a64hv run GUEST --gdb 0 ...`; resolves with the port once printed (bounded wait). */
function startEmulator(guest: string, extra: string[] = []): Promise<Emu> {
  const p = spawn(A64HV, ['run', guest, '--gdb', '0', '-q', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(p);
  let out = '';
  let err = '';
  p.stdout!.on('data', (d) => (out += d));
  const exit = new Promise<{ code: number | null; out: string; err: string }>((res) => p.on('close', (code) => res({ code, out, err })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`no port printed within 30 s; stderr: ${err}`));
    }, 30_000);
    p.stderr!.on('data', (d) => {
      err += d;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), out: () => out, exit });
      }
    });
  });
}

function gdb(port: number, cmds: string[], file: string | null): Promise<string> {
  const args = ['-batch', '-nx', '-ex', 'set architecture aarch64', '-ex', 'set confirm off', '-ex', `target remote 127.0.0.1:${port}`];
  for (const c of cmds) args.push('-ex', c);
  if (file !== null) args.push(file);
  const p = spawn('gdb-multiarch', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(p);
  let text = '';
  p.stdout!.on('data', (d) => (text += d));
  p.stderr!.on('data', (d) => (text += d));
  return new Promise((resolve) => {
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
}

/** Resolves when `cond` holds (polled), rejects after `ms` (a hang, not a slow host: generous). */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the target description', () => {
  it('describes the EL1/EL2 system registers after the 68 core/FP ones, in a feature of their own', () => {
    expect(REG_SYS0).toBe(68);
    expect(NUM_ALL_REGS).toBe(68 + GDB_SYSREGS.length);
    const names = GDB_SYSREGS.map((d) => d.name);
    for (const n of ['SCTLR_EL1', 'VBAR_EL1', 'TTBR0_EL1', 'ESR_EL1', 'HCR_EL2', 'VTTBR_EL2', 'MIDR_EL1']) expect(names).toContain(n);
    expect(names.every((n) => /_EL[12]$/.test(n))).toBe(true);
    expect(TARGET_XML).toContain('<feature name="org.a64hv.aarch64.sysregs">');
    expect(TARGET_XML).toContain(`<reg name="SCTLR_EL1" bitsize="64" type="uint64" regnum="${REG_SYS0 + names.indexOf('SCTLR_EL1')}" group="system"/>`);
  });
});

describe.skipIf(!HAVE_GDB)('gdb-multiarch', () => {
  it('info registers SCTLR_EL1 / p $VBAR_EL1 show what the guest wrote; a write from GDB is refused', async () => {
    const emu = await startEmulator(EXC);
    // Stop after the guest's own MSRs (the first call to puts), then read them back.
    const out = await gdb(emu.port, ['break puts', 'continue', 'info registers SCTLR_EL1', 'p/x $VBAR_EL1', 'p/x $MIDR_EL1', 'info symbol $VBAR_EL1', 'set $SCTLR_EL1 = 0', 'kill'], EXC);
    expect(out).toMatch(/SCTLR_EL1\s+0x30d00818\s+818939928/); // the value exceptions.S writes
    expect(out).toMatch(/\$1 = 0x40001000/);
    expect(out).toMatch(/vectors in section \.text/); // VBAR_EL1 = &vectors
    expect(out).toMatch(/\$2 = 0x411fd070/); // Cortex-A57 r1p0 MIDR_EL1 (the a57 profile)
    expect(out).toMatch(/Could not write register "SCTLR_EL1"; remote failure reply 'E00'/);
    await emu.exit;
  });

  it('--gdb-no-wait: the guest runs before any GDB; GDB attaching stops it where it is (at spin), then kill', async () => {
    const g = join(dir, 'spin.S');
    writeFileSync(g, SPIN);
    const emu = await startEmulator(g, ['--gdb-no-wait']);
    await until(() => emu.out().includes('started\n'), 30_000, 'guest output before GDB attached');
    const out = await gdb(emu.port, ['info registers pc', 'p $x3 > 0', 'kill'], null);
    expect(out).toMatch(/pc\s+0x4000001[48]\s/); // inside the spin loop (add or b)
    expect(out).toMatch(/\$1 = 1/);
    const r = await emu.exit;
    expect(r.code).toBe(0);
  });

  it('--gdb-no-wait: a guest that ends before GDB attaches ends the emulator with its exit status', async () => {
    const emu = await startEmulator(join(ROOT, 'guests', 'asm', 'hello.S'), ['--gdb-no-wait']);
    const r = await emu.exit;
    expect(r.code).toBe(0);
    expect(r.out).toBe('Hello from a64hv! AArch64 guest running at EL1 with the MMU off.\n');
  });
});
