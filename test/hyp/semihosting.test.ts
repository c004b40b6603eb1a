// Arm semihosting over HLT #0xF000 (Semihosting for AArch32 and AArch64, v2.0).
import { describe, it, expect } from 'vitest';
import { runBoard } from './board.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { TableBuilder, s1Leaf } from '../../src/mmu/builder.js';
import { setS1 } from '../mmu/mmu-helpers.js';

const EXIT = `
exit_ok:
    mov x0, #0x18
    adr x1, exit_block
    hlt #0xf000
    .balign 8
exit_block: .quad 0x20026, 0
`;

/** One semihosting call: W0 = op, X1 set by `arg`; the result is saved in `save`. */
function sh(op: number, arg: string, save = 'x20'): string {
  return `mov x0, #${op}\n${arg}\nhlt #0xf000\nmov ${save}, x0`;
}

describe('semihosting', () => {
  it('SYS_WRITE0 and SYS_WRITEC print to the console', async () => {
    const { m, r } = await runBoard(`${sh(4, 'adr x1, msg')}\n${sh(3, 'adr x1, bang')}\nb exit_ok\nmsg: .asciz "hello"\nbang: .byte 0x21\n.balign 4\n${EXIT}`);
    expect(m.output).toBe('hello!');
    expect(r.reason).toBe('exit');
    expect(r.exitCode).toBe(0);
  });

  it('SYS_EXIT with ADP_Stopped_ApplicationExit exits with the subcode; the HLT retires', async () => {
    const { r } = await runBoard('mov x0, #0x18\nadr x1, blk\nhlt #0xf000\nnop\n.balign 8\nblk: .quad 0x20026, 42');
    expect(r).toMatchObject({ reason: 'exit', exitCode: 42, instructions: 3 });
  });

  it('SYS_EXIT with another reason (e.g. RunTimeErrorUnknown 0x20023) exits with status 1', async () => {
    const { r } = await runBoard('mov x0, #0x18\nadr x1, blk\nhlt #0xf000\n.balign 8\nblk: .quad 0x20023, 0');
    expect(r).toMatchObject({ reason: 'exit', exitCode: 1 });
  });

  it('SYS_EXIT_EXTENDED (0x20) takes the same block', async () => {
    const { r } = await runBoard('mov x0, #0x20\nadr x1, blk\nhlt #0xf000\n.balign 8\nblk: .quad 0x20026, 7');
    expect(r).toMatchObject({ reason: 'exit', exitCode: 7 });
  });

  it('SYS_OPEN(":tt", "w") gives a handle SYS_WRITE prints to; SYS_WRITE returns 0 bytes not written', async () => {
    const src = `
      ${sh(1, 'adr x1, open_blk', 'x19')}
      adr x1, write_blk
      str x19, [x1]
      ${sh(5, '', 'x20')}
      ${sh(9, 'adr x1, write_blk', 'x21')}
      ${sh(0xc, 'adr x1, write_blk', 'x22')}
      b exit_ok
      .balign 8
      open_blk: .quad tt, 4, 3
      write_blk: .quad 0, text, 3
      tt: .asciz ":tt"
      text: .ascii "abc"
      .balign 4
      ${EXIT}`;
    const { m } = await runBoard(src);
    expect(m.cpu.readX(19)).toBe(1n); // the first handle, as on QEMU
    expect(m.output).toBe('abc');
    expect(m.cpu.readX(20)).toBe(0n);
    expect(m.cpu.readX(21)).toBe(1n); // ISTTY
    expect(m.cpu.readX(22)).toBe(0xffff_ffff_ffff_ffffn); // FLEN of a terminal: -1
  });

  it('SYS_WRITE with a length beyond memory writes up to the first unreadable byte and returns the rest (errno EFAULT), no host failure', async () => {
    // 2^63 bytes from the last 64 KiB of RAM (128 MiB board): one chunk is written, the next runs
    // past the end of RAM (a fault), so the call returns 2^63 - 64 Ki; the guest goes on.
    const src = `
      ${sh(1, 'adr x1, open_blk', 'x19')}
      adr x1, write_blk
      str x19, [x1]
      ${sh(5, '', 'x20')}
      ${sh(0x13, '', 'x21')}
      b exit_ok
      .balign 8
      open_blk: .quad tt, 4, 3
      write_blk: .quad 0, 0x47ff0000, 0x8000000000000000
      tt: .asciz ":tt"
      .balign 4
      ${EXIT}`;
    const { m, r } = await runBoard(src);
    expect(r).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(m.cpu.readX(20)).toBe(0x8000_0000_0000_0000n - 0x1_0000n);
    expect(m.output.length).toBe(0x1_0000);
    expect(m.cpu.readX(21)).toBe(14n); // SYS_ERRNO: EFAULT
  });

  it('handles are allocated from 1 as QEMU does; an unopened handle returns len and errno EBADF', async () => {
    const src = `
      ${sh(1, 'adr x1, open_w', 'x19')}
      ${sh(1, 'adr x1, open_a', 'x24')}
      ${sh(5, 'adr x1, w1', 'x20')}
      ${sh(5, 'adr x1, w2', 'x21')}
      ${sh(5, 'adr x1, w9', 'x22')}
      ${sh(0x13, '', 'x23')}
      ${sh(2, 'adr x1, h1', 'x25')}
      ${sh(5, 'adr x1, w1', 'x26')}
      b exit_ok
      .balign 8
      open_w: .quad tt, 4, 3
      open_a: .quad tt, 8, 3
      w1: .quad 1, t, 2
      w2: .quad 2, t, 1
      w9: .quad 3, t, 2
      h1: .quad 1
      t: .ascii "xy"
      tt: .asciz ":tt"
      .balign 4
      ${EXIT}`;
    const { m } = await runBoard(src);
    expect([m.cpu.readX(19), m.cpu.readX(24)]).toEqual([1n, 2n]);
    expect(m.output).toBe('xyx');
    expect([m.cpu.readX(20), m.cpu.readX(21), m.cpu.readX(22), m.cpu.readX(23)]).toEqual([0n, 0n, 2n, 9n]);
    expect(m.cpu.readX(25)).toBe(0n); // SYS_CLOSE
    expect(m.cpu.readX(26)).toBe(2n); // closed: nothing written
  });

  it('SYS_READ from ":tt" (mode r) takes console input into guest memory and returns bytes not read', async () => {
    const src = `
      ${sh(1, 'adr x1, open_blk', 'x19')}
      adr x1, read_blk
      str x19, [x1]
      ${sh(6, '', 'x20')}
      adr x2, buf
      ldr x21, [x2]
      ${sh(6, 'adr x1, read_blk', 'x22')}
      b exit_ok
      .balign 8
      open_blk: .quad tt, 0, 3
      read_blk: .quad 0, buf, 8
      buf: .quad 0
      tt: .asciz ":tt"
      .balign 4
      ${EXIT}`;
    const { m } = await runBoard(src, { uartInput: 'abc' });
    expect(m.cpu.readX(20)).toBe(5n); // 8 requested, 3 read
    expect(m.cpu.readX(21)).toBe(0x636261n);
    expect(m.cpu.readX(22)).toBe(8n); // nothing left: EOF
  });

  it('SYS_CLOCK counts centiseconds of modelled time (1 GHz cycles), deterministically', async () => {
    const { m } = await runBoard(`${sh(0x10, 'mov x1, #0')}\nb exit_ok\n${EXIT}`, {
      setup: (mm) => (mm.cpu.cycles = 123_000_000),
    });
    expect(m.cpu.readX(20)).toBe(12n);
  });

  it('SYS_TIME returns seconds since the epoch', async () => {
    const { m } = await runBoard(`${sh(0x11, 'mov x1, #0')}\nb exit_ok\n${EXIT}`);
    const now = BigInt(Math.floor(Date.now() / 1000));
    expect(m.cpu.readX(20)).toBeGreaterThan(now - 60n);
    expect(m.cpu.readX(20)).toBeLessThanOrEqual(now);
  });

  it('SYS_HEAPINFO fills a 4-word block with a heap above the image and a stack at the top of RAM', async () => {
    const src = `
      ${sh(0x16, 'adr x1, ptr')}
      adr x2, info
      ldp x21, x22, [x2]
      ldp x23, x24, [x2, #16]
      b exit_ok
      .balign 8
      ptr: .quad info
      info: .quad 0, 0, 0, 0
      ${EXIT}`;
    const { m } = await runBoard(src, { ramSize: 16 * 1024 * 1024 });
    const [hb, hl, sb, sl] = [21, 22, 23, 24].map((k) => m.cpu.readX(k));
    expect(m.cpu.readX(20)).toBe(0n);
    expect(hb).toBeGreaterThan(0x4000_0000n);
    expect(hb).toBeLessThan(0x4000_1000n); // just above the small image
    expect(hl).toBe(sl);
    expect(sb).toBe(0x4100_0000n);
    expect(sl).toBe(0x40f0_0000n);
  });

  it('SYS_GET_CMDLINE writes the configured string and its length; -1 when the buffer is too small', async () => {
    const src = `
      ${sh(0x15, 'adr x1, blk')}
      adr x2, blk
      ldr x21, [x2, #8]
      adr x2, buf
      ldr x22, [x2]
      ${sh(0x15, 'adr x1, small', 'x23')}
      b exit_ok
      .balign 8
      blk: .quad buf, 16
      small: .quad buf, 3
      buf: .quad 0, 0
      ${EXIT}`;
    const { m } = await runBoard(src, { cmdline: 'a -v' });
    expect(m.cpu.readX(20)).toBe(0n);
    expect(m.cpu.readX(21)).toBe(4n);
    expect(m.cpu.readX(22)).toBe(0x762d2061n); // "a -v\\0"
    expect(m.cpu.readX(23)).toBe(0xffff_ffff_ffff_ffffn);
  });

  it('the ":semihosting-features" file reads "SHFB" and the EXIT_EXTENDED|STDOUT_STDERR byte', async () => {
    const src = `
      ${sh(1, 'adr x1, open_blk', 'x19')}
      adr x1, read_blk
      str x19, [x1]
      adr x1, flen_blk
      str x19, [x1]
      ${sh(0xc, 'adr x1, flen_blk', 'x20')}
      ${sh(6, 'adr x1, read_blk', 'x21')}
      adr x2, buf
      ldr x22, [x2]
      b exit_ok
      .balign 8
      open_blk: .quad name, 0, 21
      read_blk: .quad 0, buf, 8
      flen_blk: .quad 0
      buf: .quad 0
      name: .asciz ":semihosting-features"
      .balign 4
      ${EXIT}`;
    const { m } = await runBoard(src);
    expect(m.cpu.readX(20)).toBe(5n);
    expect(m.cpu.readX(21)).toBe(3n);
    expect(m.cpu.readX(22)).toBe(0x03_4246_4853n);
  });

  it('opening a host file fails with -1 and errno ENOENT (no host file access)', async () => {
    const src = `
      ${sh(1, 'adr x1, open_blk')}
      ${sh(0x13, '', 'x21')}
      b exit_ok
      .balign 8
      open_blk: .quad name, 0, 10
      name: .asciz "/etc/passwd"
      .balign 4
      ${EXIT}`;
    const { m } = await runBoard(src);
    expect(m.cpu.readX(20)).toBe(0xffff_ffff_ffff_ffffn);
    expect(m.cpu.readX(21)).toBe(2n);
  });

  it('a parameter block outside memory makes the call fail with -1/EFAULT, not a guest exception', async () => {
    const { m, r } = await runBoard(`${sh(5, 'mov x1, #0x1000')}\n${sh(0x13, '', 'x21')}\nb exit_ok\n${EXIT}`);
    expect(m.cpu.readX(20)).toBe(0xffff_ffff_ffff_ffffn);
    expect(m.cpu.readX(21)).toBe(14n);
    expect(r.reason).toBe('exit');
  });

  it('with the stage-1 MMU on, parameters are guest virtual addresses; an unmapped one is EFAULT', async () => {
    const src = `
      ${sh(4, 'mov x1, #0x1000')}
      ${sh(4, 'movz x1, #0x3000, lsl #16')}
      ${sh(0x13, '', 'x21')}
      b exit_ok
      ${EXIT}`;
    const { m, r } = await runBoard(src, {
      ramSize: 16 * 1024 * 1024,
      setup: (mm) => {
        mm.bus.load(0x4000_5000, new TextEncoder().encode('virtual\0'));
        const b = new TableBuilder(mm.bus, { inputSize: 48, poolBase: 0x4080_0000 });
        b.map(0x4000_0000, 0x4000_0000, 0x20_0000, s1Leaf({ attrIndx: 0 })); // code and data, identity
        b.map(0x1000, 0x4000_5000, 0x1000, s1Leaf({ attrIndx: 0 }), 3);
        setS1(mm.cpu, { ttbr0: b.root });
      },
    });
    expect(m.output).toBe('virtual');
    expect(m.cpu.readX(20)).toBe(0xffff_ffff_ffff_ffffn); // the unmapped VA 0x30000000
    expect(m.cpu.readX(21)).toBe(14n); // EFAULT; no translation fault reached the guest
    expect(r.reason).toBe('exit');
  });

  it('an unknown operation returns -1', async () => {
    const { m } = await runBoard(`${sh(0x99, 'mov x1, #0')}\nb exit_ok\n${EXIT}`);
    expect(m.cpu.readX(20)).toBe(0xffff_ffff_ffff_ffffn);
  });

  it('with semihosting off, HLT #0xF000 is UNDEFINED (EC 0x00 to VBAR_EL1)', async () => {
    const { m } = await runBoard('mov x0, #4\nhlt #0xf000\n.balign 0x800\n.space 0x200\nmov x21, #5', {
      semihosting: false,
      maxInsns: 2,
      setup: (mm) => mm.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0),
    });
    expect(m.cpu.sys64(SYS.ESR_EL1) >> 26n).toBe(0n);
    expect(m.cpu.sys64(SYS.ELR_EL1)).toBe(0x4000_0004n);
    expect(m.cpu.readX(21)).toBe(5n);
  });

  it('semihosting from EL0 is UNDEFINED (taken to EL1 as EC 0x00), as with QEMU -semihosting', async () => {
    const src = `
      adr x0, vec
      msr vbar_el1, x0
      adr x0, user
      msr elr_el1, x0
      msr spsr_el1, xzr
      eret
    user:
      mov x0, #4
      adr x1, msg
      hlt #0xf000
    .balign 0x800
    vec:
      .space 0x400
      mrs x20, esr_el1
      b exit_ok
    msg: .asciz "from EL0"
      .balign 4
      ${EXIT}`;
    const { m, r } = await runBoard(src);
    expect(m.output).toBe('');
    expect(m.cpu.readX(20) >> 26n).toBe(0n);
    expect(r).toMatchObject({ reason: 'exit', exitCode: 0 });
  });

  it('HLT with another immediate is UNDEFINED even with semihosting on', async () => {
    const { m } = await runBoard('hlt #0x1234\n.balign 0x800\n.space 0x200\nmov x21, #5', {
      maxInsns: 2,
      setup: (mm) => mm.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0),
    });
    expect(m.cpu.readX(21)).toBe(5n);
  });
});
