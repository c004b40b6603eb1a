// End to end with Debian's gdb-multiarch as the client: `a64hv run GUEST --gdb 0` in one process,
// GDB in batch mode in another, asserting on what GDB prints. Skipped (and said so) only when
// gdb-multiarch is not installed; .ci/run installs it.
import { describe, it, expect, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { existsSync } from 'node:fs';

const ROOT = join(__dirname, '..', '..');
const A64HV = join(ROOT, 'bin', 'a64hv');
const SORT = join(ROOT, 'guests', 'build', 'sort.elf');
const HAVE_GDB = spawnSync('gdb-multiarch', ['--version'], { encoding: 'utf8' }).status === 0;
if (!HAVE_GDB) console.warn('test/debug/gdb.test.ts: SKIPPED: gdb-multiarch is not installed (apt-get install gdb-multiarch)');

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Emu {
  port: number;
  exit: Promise<{ code: number | null; out: string; err: string }>;
}

/** Start the emulator with --gdb 0 and wait (bounded) for the port it prints. */
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
        resolve({ port: Number(m[1]), exit });
      }
    });
    p.on('close', () => reject(new Error(`emulator exited before listening: ${err}`)));
  });
}

/** gdb-multiarch -batch with the guest's symbols (none: null) and the given commands; killed after 60 s. */
function gdb(port: number, cmds: string[], file: string | null = SORT): Promise<string> {
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

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`${what}: no result within ${ms} ms`)), ms))]);

describe.skipIf(!HAVE_GDB)('GDB stub with gdb-multiarch', () => {
  it('break at main, continue, stepi, read registers and memory, monitor commands, continue to the exit', async () => {
    const emu = await startEmulator(SORT);
    const out = await gdb(emu.port, [
      'break main',
      'continue',
      'stepi',
      'info registers x0 pc',
      'x/4wx $sp',
      'p/x $cpsr',
      'p $v0.ud',
      'monitor stats',
      'monitor tr 0x40000000',
      'monitor tlb',
      'continue',
    ]);
    expect(out).toMatch(/Breakpoint 1 at 0x[0-9a-f]+/);
    expect(out).toMatch(/Breakpoint 1, 0x[0-9a-f]+ in main \(\)/);
    // stepi moved one instruction inside main; the registers come from the g/p packets.
    expect(out).toMatch(/0x[0-9a-f]+ in main \(\)/);
    expect(out).toMatch(/x0\s+0x1\s+1/);
    expect(out).toMatch(/pc\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <main\+\d+>/);
    // The frame main stored: saved FP (0x411fffe0) and LR (_start's return, 0x400005f4).
    expect(out).toMatch(/0x411fff90:\s+0x411fffe0\s+0x00000000\s+0x400005f4\s+0x00000000/);
    expect(out).toMatch(/\$1 = 0x600003c5/); // EL1h, DAIF masked, Z and C
    expect(out).toMatch(/\$2 = \{0, 0\}/);
    expect(out).toMatch(/instructions \d+\ncycles\s+\d+/);
    expect(out).toMatch(/read 0x40000000 at EL1: stage 1 off/);
    expect(out).toMatch(/no TLB entries/);
    expect(out).toMatch(/\[Inferior 1 \(Remote target\) exited normally\]/);
    const r = await within(emu.exit, 30_000, 'emulator exit');
    expect(r.code).toBe(0);
    expect(r.out).toContain('matches-qsort=yes');
  });

  it('a hardware watchpoint reports old and new values; hbreak; detach lets the guest finish', async () => {
    const emu = await startEmulator(SORT);
    const out = await gdb(emu.port, ['watch *(int*)&lcg_state', 'continue', 'delete', 'hbreak main', 'continue', 'info registers pc', 'detach']);
    expect(out).toMatch(/Hardware watchpoint 1: \*\(int\*\)&lcg_state/);
    expect(out).toMatch(/Old value = 0\s+New value = 57/);
    expect(out).toMatch(/Hardware assisted breakpoint 2 at 0x[0-9a-f]+/);
    expect(out).toMatch(/Breakpoint 2, 0x[0-9a-f]+ in main \(\)/);
    expect(out).toMatch(/\[Inferior 1 \(Remote target\) detached\]/);
    const r = await within(emu.exit, 30_000, 'emulator exit');
    expect(r.code).toBe(0);
    expect(r.out).toContain('matches-qsort=yes');
  });

  it('writing a register and memory from GDB changes the guest; kill ends the emulator', async () => {
    const emu = await startEmulator(SORT);
    const out = await gdb(emu.port, [
      'break main',
      'continue',
      'set $x7 = 0x1234',
      'p/x $x7',
      'set {int}0x41000000 = 0x5a5a5a5a',
      'x/1wx 0x41000000',
      'set $v1.ud[1] = 0xabcdef',
      'p/x $v1.ud',
      'kill',
    ]);
    expect(out).toMatch(/\$1 = 0x1234/);
    expect(out).toMatch(/0x41000000:\s+0x5a5a5a5a/);
    expect(out).toMatch(/\$2 = \{0x0, 0xabcdef\}/);
    const r = await within(emu.exit, 30_000, 'emulator exit');
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('matches-qsort');
  });
});

describe.skipIf(!HAVE_GDB)('GDB stub with the guest under the hypervisor (run --hyp --gdb)', () => {
  it('breaks in the VM, reads its registers and memory (stage 2), monitor vm and mmio show the hypervisor', async () => {
    const emu = await startEmulator(join(ROOT, 'guests', 'asm', 'hello.S'), ['--hyp']);
    const out = await gdb(emu.port, ['break *0x40000024', 'continue', 'info registers x0 pc', 'x/s 0x40000034', 'monitor vm', 'monitor mmio', 'continue'], join(ROOT, 'guests', 'build', 'hello.elf'));
    expect(out).toMatch(/Breakpoint 1, 0x0*40000024 in /);
    expect(out).toMatch(/x0\s+0x8\s+8/); // movz x0, #8 done, movk not yet
    expect(out).toMatch(/0x40000034 <msg>:\s+"Hello from a64hv!/);
    expect(out).toMatch(/\* VM 0 vm0 {2}VMID 1 {2}vCPU 0 {2}pc 0x40000024/);
    expect(out).toMatch(/\[vm0\] ELR_EL2=0x40000018 EC=0x24 \(DABT\) .*mmio-write pl011 UARTDR/);
    expect(out).toMatch(/\[Inferior 1 \(Remote target\) exited normally\]/);
    const r = await within(emu.exit, 30_000, 'emulator exit');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Hello from a64hv!');
  });
});

const KERNEL = process.env.A64HV_KERNEL ?? join(ROOT, '.cache', 'linux', 'Image');
const HAVE_KERNEL = existsSync(KERNEL);
if (HAVE_GDB && !HAVE_KERNEL) console.warn(`test/debug/gdb.test.ts: the Linux case is SKIPPED: no kernel at ${KERNEL} (scripts/fetch-linux.sh)`);

describe.skipIf(!HAVE_GDB || !HAVE_KERNEL)('GDB stub with a Linux kernel (run Image --gdb)', () => {
  it('stops at the kernel entry with x0 = the DTB (booting.rst), steps, reads the DTB magic, kills', async () => {
    const emu = await startEmulator(KERNEL, ['--append', 'console=ttyAMA0']);
    const out = await gdb(emu.port, ['info registers pc x0 x1', 'stepi', 'info registers pc', 'x/wx $x0', 'kill'], null);
    expect(out).toMatch(/pc\s+0x40200000\s/);
    const x0 = /x0\s+(0x[0-9a-f]+)\s/.exec(out);
    expect(x0, out).not.toBeNull();
    expect(Number(x0![1]) % 0x20_0000).toBe(0); // the DTB on a 2 MiB boundary above the kernel
    expect(out).toMatch(/x1\s+0x0\s+0/);
    expect(out).toMatch(/pc\s+0x40200004\s/); // code0 (the "MZ" ccmp) stepped
    expect(out).toMatch(/:\s+0xedfe0dd0/); // 0xd00dfeed, big-endian in memory
    await within(emu.exit, 30_000, 'emulator exit');
  });
});

describe('GDB stub flag errors', () => {
  it('--gdb needs a port number; --break and --gdb do not combine', () => {
    const a = spawnSync(A64HV, ['run', SORT, '--gdb', 'abc'], { encoding: 'utf8', timeout: 30_000 });
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/--gdb abc: expected a TCP port number/);
    const b = spawnSync(A64HV, ['run', SORT, '--gdb', '0', '--break', 'main'], { encoding: 'utf8', timeout: 30_000 });
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/--break and --gdb do not go together/);
  });
});
