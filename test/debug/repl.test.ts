// The REPL through the CLI (`a64hv repl GUEST --script FILE`, `a64hv run GUEST --break SYM`):
// every command of issue 6, and the wrong thing for each (one-line error, the session goes on).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { main } from '../../src/cli.js';
import { unescape } from '../../src/debug/commands.js';

const ROOT = join(__dirname, '..', '..');
const SORT = join(ROOT, 'guests', 'build', 'sort.elf');
const MMU = join(ROOT, 'guests', 'build', 'mmu.elf');
const ECHO = join(ROOT, 'guests', 'build', 'echo.elf');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-repl-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function script(guest: string, lines: string[], extra: string[] = []): Promise<{ code: number; out: string; err: string }> {
  const f = join(dir, `s${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(f, lines.join('\n') + '\n');
  let out = '';
  let err = '';
  const code = await main(['repl', guest, '--script', f, ...extra], { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

/** The output of the n-th command (after its echoed prompt line). */
function section(out: string, cmd: string, nth = 0): string {
  const parts = out.split('(a64hv) ');
  const hits = parts.filter((p) => p.split('\n')[0] === cmd);
  if (hits[nth] === undefined) throw new Error(`no output for '${cmd}' in:\n${out}`);
  return hits[nth].split('\n').slice(1).join('\n');
}

describe('REPL commands (scripted)', () => {
  it('break/continue/step/regs/next/until/dis/x and the changed-register marks', async () => {
    const r = await script(SORT, ['break main', 'continue', 'step', 'regs', 'step 3', 'dis main 3', 'x $sp 16', 'x/pa main 4', 'x/ipa main 4', 'break', 'until main+0x20', 'quit', 'regs']);
    expect(r.code).toBe(0);
    expect(section(r.out, 'break main')).toMatch(/^breakpoint 1 at 0x40000360 <main>/);
    expect(section(r.out, 'continue')).toMatch(/^breakpoint 1, 0x40000360 <main>\n=> 0x40000360 <main>:  a9bb7bfd  stp x29, x30, \[sp, #-0x50\]!/);
    expect(section(r.out, 'step')).toMatch(/^=> 0x40000364 <main\+0x4>:/);
    // stp x29, x30, [sp, #-0x50]! changed only SP.
    const regs = section(r.out, 'regs');
    expect(regs).toMatch(/sp 0x00000000411fff90\*/);
    expect(regs).toMatch(/x29 0x00000000411fffe0 /);
    expect(regs).toMatch(/pc 0x0000000040000364  <main\+0x4>/);
    expect(regs).toMatch(/EL1h/);
    expect(section(r.out, 'dis main 3')).toBe(
      '   0x40000360 <main>:  a9bb7bfd  stp x29, x30, [sp, #-0x50]!\n   0x40000364 <main+0x4>:  90001005  adrp x5, #0x40200000\n   0x40000368 <main+0x8>:  d289c401  mov x1, #0x4e20\n',
    );
    expect(section(r.out, 'x $sp 16')).toMatch(/^0x00000000411fff90: e0 ff 1f 41 00 00 00 00 f4 05 00 40 00 00 00 00  \.\.\.A\.\.\.\.\.\.\.@\.\.\.\.\n$/);
    expect(section(r.out, 'x/pa main 4')).toMatch(/^0x0000000040000360: fd 7b bb a9/);
    expect(section(r.out, 'x/ipa main 4')).toMatch(/^0x0000000040000360: fd 7b bb a9/);
    expect(section(r.out, 'break')).toMatch(/^\s+1\s+break\s+0x40000360 <main>/);
    expect(section(r.out, 'until main+0x20')).toMatch(/^=> 0x40000380 <main\+0x20>:/);
    // quit ends the script: the last regs never runs.
    expect(r.out.trimEnd().endsWith('(a64hv) quit')).toBe(true);
  });

  it('next steps over a call (BL) and stops after it returns; a plain instruction is one step', async () => {
    // The first call of puts: its return address (LR at entry) is after the BL.
    const r2 = await script(MMU, ['break puts', 'continue', 'delete', 'regs']);
    const lr = /x30 0x([0-9a-f]{16})/.exec(section(r2.out, 'regs'))![1];
    const call = BigInt('0x' + lr) - 4n; // the bl that called puts
    const r3 = await script(MMU, [`until 0x${call.toString(16)}`, 'next', 'x $pc 4']);
    expect(section(r3.out, `until 0x${call.toString(16)}`)).toMatch(/bl #0x40000240 <puts>/);
    // The callee's output comes first, then where next stopped: right after the BL.
    expect(section(r3.out, 'next')).toMatch(new RegExp(`\\n=> 0x${lr.replace(/^0+/, '')} `));
    expect(section(r3.out, 'x $pc 4')).toMatch(new RegExp(`^0x${lr}:`));
    expect(r3.out).toContain('mmu: stage 1 on'); // puts ran and printed
  });

  it('watch stops on the write, shows old and new values, and finishes the store', async () => {
    const r = await script(SORT, ['watch lcg_state w 4', 'continue', 'break', 'delete 1', 'delete 1', 'break']);
    expect(section(r.out, 'watch lcg_state w 4')).toMatch(/^watchpoint 1 \(w\) on 0x40200000\.\.0x40200003/);
    const hit = section(r.out, 'continue');
    expect(hit).toMatch(/^watchpoint 1: write of 1 bytes at 0x40200000 by 0x[0-9a-f]+ <memcpy\+0x[0-9a-f]+>:/);
    expect(hit).toMatch(/old: 00 00 00 00\n {2}new: 39 00 00 00/);
    expect(section(r.out, 'break')).toMatch(/1\s+watch\s+0x40200000 len 4 w/);
    expect(section(r.out, 'delete 1')).toBe('deleted 1\n');
    expect(section(r.out, 'delete 1', 1)).toBe('error: no breakpoint or watchpoint 1\n');
    expect(section(r.out, 'break', 1)).toBe('no breakpoints or watchpoints\n');
    expect(r.code).toBe(1); // a command failed
  });

  it('tr shows the stage-1 walk, tlb lists and filters entries, stats counts, sysregs reads by EL or name', async () => {
    const r = await script(MMU, ['break el1_sync', 'continue', 'tr far_el1 w', 'tr 0x40204000 x el0', 'tr 0x80000000', 'tlb', 'tlb 0 0', 'tlb 7', 'stats', 'sysregs el2', 'sysregs far_el1', 'sysregs el9']);
    expect(section(r.out, 'continue')).toMatch(/breakpoint 1, 0x[0-9a-f]+ <el1_sync>/);
    const tr = section(r.out, 'tr far_el1 w');
    expect(tr).toMatch(/^write 0x40201000 at EL1: stage 1, VMID 0, ASID 0/);
    expect(tr).toMatch(/TTBR0_EL1, 4K granule, 32-bit VA, start level 1/);
    expect(tr).toMatch(/S1 L1 table 0x[0-9a-f]+ desc @ 0x[0-9a-f]+ = +0x[0-9a-f]+ +table/);
    expect(tr).toMatch(/S1 L3 table/);
    expect(tr).toMatch(/FAULT: stage 1 permission/i);
    expect(section(r.out, 'tr 0x40204000 x el0')).toMatch(/^fetch 0x40204000 at EL0/);
    expect(section(r.out, 'tr 0x80000000')).toMatch(/FAULT/);
    const tlb = section(r.out, 'tlb');
    expect(tlb).toMatch(/L1 ITLB +0x0000000040000000 \+0x200000 +-> 0x40000000 +VMID 0 global +EL1 rwx/);
    expect(tlb).toMatch(/walk cache/);
    expect(tlb).toMatch(/\d+ entries\n$/);
    expect(section(r.out, 'tlb 0 0')).toMatch(/entries\n$/);
    expect(section(r.out, 'tlb 7')).toBe('no TLB entries for VMID 7\n');
    const st = section(r.out, 'stats');
    expect(st).toMatch(/^instructions \d+\ncycles +\d+/);
    expect(st).toMatch(/L2 TLB +lookups \d+ hits \d+ misses \d+/);
    expect(st).toMatch(/walks: stage 1 \d+ \(\d+ descriptor reads\)/);
    expect(st).toMatch(/hypervisor exits: none \(no hypervisor running\)/);
    expect(section(r.out, 'sysregs el2')).toMatch(/HCR_EL2 +0x0000000000000000/);
    expect(section(r.out, 'sysregs el2')).not.toMatch(/_EL1 /);
    expect(section(r.out, 'sysregs far_el1')).toBe('FAR_EL1          0x0000000040201000\n');
    expect(section(r.out, 'sysregs el9')).toMatch(/^error: sysregs: 'el9' is not el0, el1, el2 or a system register name/);
  });

  it('vm and mmio answer for the machine without a hypervisor; uart feeds the receiver; reset reloads', async () => {
    const r = await script(ECHO, ['vm', 'vm 0', 'vm 1', 'vm x', 'mmio', 'uart hi\\n', 'uart', 'step 5000', 'reset', 'regs', 'help', 'help tr', 'help nope']);
    expect(section(r.out, 'vm')).toMatch(/^no hypervisor running: one VM, the machine itself\n\* VM 0 {2}vCPU 0 {2}EL1/);
    expect(section(r.out, 'vm 0')).toMatch(/looking at VM 0 vCPU 0/);
    expect(section(r.out, 'vm 1')).toMatch(/^error: vm 1: no hypervisor running/);
    expect(section(r.out, 'vm x')).toMatch(/^error: vm: expected a VM number/);
    expect(section(r.out, 'mmio')).toMatch(/^no hypervisor running: no trapped accesses/);
    expect(section(r.out, 'uart hi\\n')).toBe('fed 3 byte(s) to the UART\n');
    expect(section(r.out, 'uart')).toBe('error: uart: missing text\n');
    // echo.elf echoes what it receives (and then polls the UART for more: step, not continue).
    expect(section(r.out, 'step 5000')).toMatch(/> HI \(2 chars\)/);
    expect(section(r.out, 'reset')).toMatch(/^reset: .*echo\.elf reloaded\n=> 0x40000000/);
    expect(section(r.out, 'regs')).toMatch(/pc 0x0000000040000000/);
    const help = section(r.out, 'help');
    for (const c of ['step', 'next', 'continue', 'until', 'break', 'delete', 'watch', 'regs', 'sysregs', 'x ', 'dis', 'tr', 'tlb', 'stats', 'vm', 'mmio', 'uart', 'reset', 'help', 'quit']) {
      expect(help).toContain(`  ${c}`);
    }
    expect(section(r.out, 'help tr')).toMatch(/^tr VA/);
    expect(section(r.out, 'help nope')).toBe("error: help: no command 'nope'\n");
  });

  it('wrong input: unknown commands, symbols, counts and addresses get one line each and the session goes on', async () => {
    const r = await script(SORT, ['frob', 'break nosuch', 'step zero', 'step 0', 'x', 'x 0 4', 'x/pa 0x09000000 4', 'dis nosuch', 'tr', 'until', 'watch', 'delete 99', 'regs']);
    expect(section(r.out, 'frob')).toBe("error: unknown command 'frob' (try help)\n");
    expect(section(r.out, 'break nosuch')).toBe("error: 'nosuch' is not an address, a register or a symbol of the guest\n");
    expect(section(r.out, 'step zero')).toBe("error: step: expected a number, got 'zero'\n");
    expect(section(r.out, 'step 0')).toMatch(/^error: step: must be between 1 and/);
    expect(section(r.out, 'x')).toBe('error: x: missing address\n');
    expect(section(r.out, 'x 0 4')).toMatch(/^error: x 0x0: 0x0: PA 0x0 is not RAM/);
    expect(section(r.out, 'x/pa 0x09000000 4')).toMatch(/device pl011: not read, reads have side effects/i);
    expect(section(r.out, 'dis nosuch')).toMatch(/^error: 'nosuch'/);
    expect(section(r.out, 'tr')).toBe('error: tr: missing virtual address\n');
    expect(section(r.out, 'until')).toBe('error: until: missing address\n');
    expect(section(r.out, 'watch')).toBe('error: watch: missing address\n');
    expect(section(r.out, 'delete 99')).toBe('error: no breakpoint or watchpoint 99\n');
    expect(section(r.out, 'regs')).toMatch(/pc 0x0000000040000000/);
    expect(r.code).toBe(1);
  });

  it('after the guest exits, run commands say so and reset starts again', async () => {
    const r = await script(SORT, ['continue', 'step', 'reset', 'step']);
    expect(section(r.out, 'continue')).toMatch(/the guest exited with code 0/);
    expect(r.out).toContain('matches-qsort=yes');
    expect(section(r.out, 'step')).toMatch(/^error: the guest has stopped \(exit 0\); use reset to start again/);
    expect(section(r.out, 'step', 1)).toMatch(/^=> 0x40000004/);
  });

  it('--script with a missing file is a usage error; a bad guest too', async () => {
    let err = '';
    const code = await main(['repl', SORT, '--script', join(dir, 'nope.txt')], { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) } });
    expect(code).toBe(2);
    expect(err).toMatch(/--script .*nope\.txt: no such file/);
    const r = await script(join(dir, 'missing.elf'), ['regs']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/missing\.elf: no such file/);
  });

  it('run --break SYM stops there and reads commands from stdin', () => {
    const p = spawnSync(join(ROOT, 'bin', 'a64hv'), ['run', SORT, '--break', 'main'], { input: 'regs\nstep\nquit\n', encoding: 'utf8', timeout: 60_000 });
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(/breakpoint 1, 0x40000360 <main>/);
    expect(p.stdout).toMatch(/pc 0x0000000040000360/);
    expect(p.stdout).toMatch(/=> 0x40000364 <main\+0x4>/);
    const bad = spawnSync(join(ROOT, 'bin', 'a64hv'), ['run', SORT, '--break', 'nosuch'], { input: '', encoding: 'utf8', timeout: 60_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--break nosuch: 'nosuch' is not an address/);
  });

  it('--hyp: the VM on the CPU is debugged; vm lists VMs, mmio shows trapped accesses with their syndrome, stats the exits', async () => {
    const HELLO = join(ROOT, 'guests', 'asm', 'hello.S');
    const r = await script(HELLO, ['vm', 'step 20', 'mmio', 'stats', 'vm 1', 'watch msg+6 r 1', 'continue', 'delete', 'break power_off+4', 'continue', 'x/ipa msg 5', 'tr msg'], ['--hyp']);
    expect(section(r.out, 'vm')).toMatch(/^\* VM 0 vm0 {2}VMID 1 {2}vCPU 0 {2}pc 0x40000000 {2}exits 0 {2}on the CPU/);
    expect(section(r.out, 'step 20')).toMatch(/Hell=> 0x40000010 <wait_tx>/);
    const mmio = section(r.out, 'mmio');
    expect(mmio).toMatch(/exit 1 \[vm0\] ELR_EL2=0x40000010 EC=0x24 \(DABT\) .*mmio-read pl011 UARTFR \| ISV=1 SAS=2 \(4 B\).*SRT=3 \(w3\)/);
    expect(mmio).toMatch(/mmio-write pl011 UARTDR .*WnR=1.*write 0x48/);
    expect(section(r.out, 'stats')).toMatch(/hypervisor: 1 VM\(s\), 0 world switches\n {2}vm0: exits 8 \(\d+ cycles\): mmio-read pl011 UARTFR 4, mmio-write pl011 UARTDR 4/);
    expect(section(r.out, 'vm 1')).toBe('error: vm 1: there are 1 VMs (0..0)\n');
    // A watchpoint and a breakpoint inside a block stop exactly under the hypervisor too.
    expect(section(r.out, 'continue')).toMatch(/watchpoint 1: read of 1 bytes at 0x4000003a by 0x40000008 <next_char>:.*ldrb w0, \[x1\], #1\n {2}value: 66/);
    expect(section(r.out, 'continue', 1)).toMatch(/breakpoint 2, 0x40000024 <power_off\+0x4>\n=> 0x40000024 <power_off\+0x4>:  f2b08000  movk x0, #0x8400, lsl #16/);
    expect(section(r.out, 'x/ipa msg 5')).toMatch(/^0x0000000040000034: 48 65 6c 6c 6f/);
    expect(section(r.out, 'tr msg')).toMatch(/stage 1 off \+ stage 2, VMID 1/);
    expect(r.code).toBe(1); // vm 1 failed
  });

  it('--hyp with two guests: VMs take turns, breakpoints hit in whichever runs, vm N shows a saved vCPU', async () => {
    const HELLO = join(ROOT, 'guests', 'asm', 'hello.S');
    const r = await script(HELLO, ['break power_off', 'continue', 'vm', 'continue', 'vm', 'vm 0', 'delete', 'continue'], ['--hyp', '--hyp-slice', '10', HELLO]);
    expect(section(r.out, 'continue')).toMatch(/breakpoint 1, 0x40000020 <power_off>/);
    expect(section(r.out, 'vm')).toMatch(/VM 0 vm0 .*\n.*VM 1 vm1 /);
    expect(section(r.out, 'continue', 1)).toMatch(/breakpoint 1, 0x40000020 <power_off>/);
    expect(r.out).toMatch(/\[vm0\] Hello from a64hv!/);
    expect(r.out).toMatch(/\[vm1\] Hello from a64hv!/);
    expect(section(r.out, 'continue', 2)).toMatch(/the guest halted with code 0/);
    // uart feeds the virtual PL011 of the VM picked with vm (VM 0 by default).
    const ECHOVM = await script(ECHO, ['uart ab\\n', 'step 3000'], ['--hyp']);
    expect(section(ECHOVM.out, 'uart ab\\n')).toBe('fed 3 byte(s) to the UART of VM 0\n');
    expect(section(ECHOVM.out, 'step 3000')).toMatch(/> AB \(2 chars\)/);
    const bad = await script(HELLO, ['vm'], [HELLO]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/several guests .* need --hyp/);
  });

  it('--hyp-traps: the VMs run with those HCR_EL2 traps, and the trapped accesses show in stats', async () => {
    // TVM traps the MSR TTBR0_EL1 writes, TID3 the ID register read (ARM ARM D19.2 HCR_EL2).
    const g = join(dir, 'traps.S');
    writeFileSync(
      g,
      `_start:
  ldr x1, =0x40100000
  msr ttbr0_el1, x1
  mrs x2, id_aa64isar0_el1
  msr ttbr0_el1, xzr
here:
  movz x0, #0x0008
  movk x0, #0x8400, lsl #16
  hvc #0
`,
    );
    const r = await script(g, ['break here', 'continue', 'regs', 'stats'], ['--hyp', '--hyp-traps', 'tvm,tid3']);
    expect(section(r.out, 'continue')).toMatch(/breakpoint 1, 0x[0-9a-f]+ <here>/);
    expect(section(r.out, 'regs')).toMatch(/x1 0x0000000040100000/);
    const st = section(r.out, 'stats');
    expect(st).toMatch(/vm0: exits 3 \(\d+ cycles\): sysreg-write TTBR0_EL1 2, sysreg-read ID_AA64ISAR0_EL1 1/);
    // The same session without the option: no trap, no exit.
    const plain = await script(g, ['break here', 'continue', 'stats'], ['--hyp']);
    expect(section(plain.out, 'stats')).toMatch(/vm0: exits 0 /);
    // Wrong names and a missing --hyp are one-line usage errors, in the REPL and under run --gdb alike.
    const bad = await script(g, ['stats'], ['--hyp', '--hyp-traps', 'tvm,nope']);
    expect([bad.code, bad.err]).toEqual([2, expect.stringMatching(/--hyp-traps: unknown trap 'nope'/)]);
    const noHyp = await script(g, ['stats'], ['--hyp-traps', 'tvm']);
    expect([noHyp.code, noHyp.err]).toEqual([2, expect.stringMatching(/--hyp-traps needs --hyp/)]);
    let err = '';
    const gdb = await main(['run', g, '--hyp', '--gdb', '0', '--hyp-traps', 'bogus'], { stdout: { write: () => true }, stderr: { write: (t: string) => (err += t) } });
    expect([gdb, err]).toEqual([2, expect.stringMatching(/--hyp-traps: unknown trap 'bogus'/)]);
  });

  it('uart escapes: \\n \\r \\t \\\\ \\xHH', () => {
    expect([...unescape('a\\n\\r\\t\\\\\\x41\\q')]).toEqual([0x61, 10, 13, 9, 0x5c, 0x41, 0x5c, 0x71]);
  });
});
