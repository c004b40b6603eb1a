// The GDB remote protocol without GDB: framing, checksums, escaping, binary X, and the stub's
// answers packet by packet (register layout, memory, breakpoints, watchpoints, monitor, exit).
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { checksum, encodePacket, escapeBinary, unescapeBinary, RspParser, toHex, fromHex, leHex, fromLeHex } from '../../src/debug/rsp.js';
import { GdbStub } from '../../src/debug/gdbstub.js';
import { Session } from '../../src/debug/session.js';
import { TARGET_XML, NUM_REGS, NUM_ALL_REGS, regSize } from '../../src/debug/target-xml.js';

const SORT = join(__dirname, '..', '..', 'guests', 'build', 'sort.elf');

describe('packet layer', () => {
  it('checksum is the byte sum modulo 256, as two lower-case hex digits', () => {
    expect(checksum('')).toBe(0);
    expect(checksum('OK')).toBe((0x4f + 0x4b) & 0xff);
    expect(encodePacket('OK')).toBe('$OK#9a');
    // 256 bytes of 0x01 wrap to 0.
    expect(checksum('\x01'.repeat(256))).toBe(0);
    expect(encodePacket('')).toBe('$#00');
  });

  it('escapes $ # } * as } then byte ^ 0x20, and the checksum covers the escaped form', () => {
    expect(escapeBinary('a$b#c}d*e')).toBe('a}\x04b}\x03c}\x5dd}\x0ae');
    const pkt = encodePacket('#');
    expect(pkt).toBe(`$}\x03#${checksum('}\x03').toString(16).padStart(2, '0')}`);
    expect(unescapeBinary(escapeBinary('x$y#z}w*'))).toBe('x$y#z}w*');
    // Every byte value survives a round trip.
    const all = Array.from({ length: 256 }, (_, k) => String.fromCharCode(k)).join('');
    expect(unescapeBinary(escapeBinary(all))).toBe(all);
  });

  it('the parser splits acks, the interrupt byte and packets, across chunk boundaries', () => {
    const p = new RspParser();
    expect(p.feed('+$qSupp')).toEqual([{ type: 'ack' }]);
    expect(p.feed('orted#3')).toEqual([]);
    expect(p.feed('7\x03-')).toEqual([{ type: 'packet', data: 'qSupported' }, { type: 'interrupt' }, { type: 'nack' }]);
  });

  it('a wrong checksum is reported as bad (the server answers -), a right one is unescaped', () => {
    const p = new RspParser();
    expect(p.feed('$g#00')).toEqual([{ type: 'bad', data: 'g' }]);
    expect(p.feed('$g#zz')).toEqual([{ type: 'bad', data: 'g' }]);
    // Binary X payload containing escaped '#' (0x23) and '}' (0x7d).
    const body = 'X40000000,2:' + escapeBinary('#}');
    const ev = p.feed(`$${body}#${checksum(body).toString(16).padStart(2, '0')}`);
    expect(ev).toEqual([{ type: 'packet', data: 'X40000000,2:#}' }]);
  });

  it('hex helpers: target byte order for registers, bad hex rejected', () => {
    expect(toHex(new Uint8Array([0, 0xab, 0x10]))).toBe('00ab10');
    expect([...fromHex('00ab10')]).toEqual([0, 0xab, 0x10]);
    expect(() => fromHex('abc')).toThrow();
    expect(() => fromHex('zz')).toThrow();
    expect(leHex(0x40000360n, 8)).toBe('6003004000000000');
    expect(fromLeHex('6003004000000000')).toBe(0x40000360n);
  });
});

describe('the stub, packet by packet', () => {
  async function stub(): Promise<{ g: GdbStub; s: Session }> {
    const s = await Session.create({ guest: SORT });
    const g = new GdbStub(s);
    await g.init();
    return { g, s };
  }

  it('qSupported advertises the packet size, target description and break/watch reasons', async () => {
    const { g } = await stub();
    const r = (await g.handle('qSupported:multiprocess+;swbreak+;hwbreak+'))!;
    for (const f of ['PacketSize=', 'qXfer:features:read+', 'swbreak+', 'hwbreak+']) expect(r).toContain(f);
    expect(await g.handle('qAttached')).toBe('1');
    expect(await g.handle('qC')).toBe('QC1');
    expect(await g.handle('qfThreadInfo')).toBe('m1');
    expect(await g.handle('qsThreadInfo')).toBe('l');
    expect(await g.handle('?')).toBe('T05thread:01;');
    expect(await g.handle('qUnknownThing')).toBe('');
  });

  it('qXfer:features:read pages through the aarch64 description (m = more, l = last)', async () => {
    const { g } = await stub();
    let xml = '';
    for (let off = 0; ; off += 0x100) {
      const r = (await g.handle(`qXfer:features:read:target.xml:${off.toString(16)},100`))!;
      expect(r[0]).toMatch(/[ml]/);
      xml += r.slice(1);
      if (r[0] === 'l') break;
    }
    expect(xml).toBe(TARGET_XML);
    expect(xml).toContain('org.gnu.gdb.aarch64.core');
    expect(xml).toContain('org.gnu.gdb.aarch64.fpu');
    expect(xml).toContain('<reg name="v31" bitsize="128"');
    expect(await g.handle('qXfer:features:read:other.xml:0,100')).toBe('E00');
  });

  it('g returns x0-x30, sp, pc (8 bytes), cpsr (4), v0-v31 (16), fpsr, fpcr (4); p/P/G agree', async () => {
    const { g, s } = await stub();
    s.cpu.writeX(3, 0x1122334455667788n);
    s.cpu.vr[4 * 2] = 0x01020304;
    const all = (await g.handle('g'))!;
    const size = Array.from({ length: NUM_REGS }, (_, n) => regSize(n)).reduce((a, b) => a + b, 0);
    expect(all.length).toBe(2 * size);
    expect(size).toBe(33 * 8 + 4 + 32 * 16 + 8);
    expect(all.slice(3 * 16, 4 * 16)).toBe('8877665544332211');
    expect(await g.handle('p20')).toBe(leHex(s.img.entry, 8)); // pc = register 32
    expect(await g.handle('p24')).toBe('04030201' + '0'.repeat(24)); // v2 = 34 + 2
    expect(await g.handle(`P5=${leHex(0xdeadbeefn, 8)}`)).toBe('OK');
    expect(s.cpu.readX(5)).toBe(0xdeadbeefn);
    expect(await g.handle('P5=12')).toBe('E01'); // wrong length
    expect(await g.handle(`p${NUM_ALL_REGS.toString(16)}`)).toBe('E00'); // one past the last (system) register
    // cpsr: NZCV in 31:28, EL1h (M = 0b0101).
    expect(fromLeHex((await g.handle('p21'))!) & 0xfn).toBe(5n);
    // G writes back what g read (with x3 changed).
    const changed = all.slice(0, 3 * 16) + leHex(42n, 8) + all.slice(4 * 16);
    expect(await g.handle('G' + changed)).toBe('OK');
    expect(s.cpu.readX(3)).toBe(42n);
  });

  it('m reads guest memory, M and binary X write it, unmapped reads are errors', async () => {
    const { g, s } = await stub();
    const main = s.img.symbols.lookup('main')!.toString(16);
    expect(await g.handle(`m${main},4`)).toBe('fd7bbba9'); // stp x29, x30, [sp, #-0x50]!
    expect(await g.handle('m0,4')).toBe('E14'); // flash: not RAM
    expect(await g.handle('M41000000,3:aabbcc')).toBe('OK');
    expect(await g.handle('m41000000,3')).toBe('aabbcc');
    expect(await g.handle('X41000010,3:#}$')).toBe('OK');
    expect(await g.handle('m41000010,3')).toBe('237d24');
    expect(await g.handle('X41000020,0:')).toBe('OK');
    expect(await g.handle('X41000020,5:ab')).toBe('E01'); // length mismatch
  });

  it('Z0 + c stops with swbreak at the address; Z1 reports hwbreak; s steps one instruction', async () => {
    const { g, s } = await stub();
    const main = s.img.symbols.lookup('main')!;
    expect(await g.handle(`Z0,${(main + 4n).toString(16)},4`)).toBe('OK');
    expect(await g.handle('c')).toBe('T05thread:01;swbreak:;');
    expect(s.cpu.pc).toBe(main + 4n);
    expect(await g.handle(`z0,${(main + 4n).toString(16)},4`)).toBe('OK');
    const before = s.cpu.instret;
    expect(await g.handle('s')).toBe('T05thread:01;');
    expect(s.cpu.instret).toBe(before + 1);
    expect(await g.handle(`Z1,${(main + 16n).toString(16)},4`)).toBe('OK');
    expect(await g.handle('vCont;c')).toBe('T05thread:01;hwbreak:;');
    expect(s.cpu.pc).toBe(main + 16n);
    expect(await g.handle('vCont;s:1')).toBe('T05thread:01;');
    expect(s.cpu.pc).toBe(main + 20n);
    expect(await g.handle('vCont?')).toBe('vCont;c;C;s;S');
  });

  it('Z2/Z3/Z4 watchpoints stop with watch/rwatch/awatch and the address', async () => {
    const { g, s } = await stub();
    // The stack: main's stp x29, x30, [sp, #-0x50]! writes the frame below the initial SP.
    const main = s.img.symbols.lookup('main')!;
    await g.handle(`Z0,${main.toString(16)},4`);
    await g.handle('c');
    await g.handle(`z0,${main.toString(16)},4`);
    const sp = s.cpu.readX(32);
    const frame = sp - 0x50n;
    expect(await g.handle(`Z2,${frame.toString(16)},8`)).toBe('OK');
    expect(await g.handle('c')).toBe(`T05thread:01;watch:${frame.toString(16)};`);
    expect(s.cpu.pc).toBe(main); // stopped before the store
    expect(await g.handle(`z2,${frame.toString(16)},8`)).toBe('OK');
    // main+0x10 is ldr w0, [x5] of the global lcg_state: a read watchpoint.
    const lcg = s.img.symbols.lookup('lcg_state')!.toString(16);
    expect(await g.handle(`Z3,${lcg},4`)).toBe('OK');
    expect(await g.handle('c')).toBe(`T05thread:01;rwatch:${lcg};`);
    expect(s.cpu.pc).toBe(main + 0x10n);
    expect(await g.handle(`z3,${lcg},4`)).toBe('OK');
    // An access watchpoint: the load that stopped is let through on resume; the next access stops.
    expect(await g.handle(`Z4,${lcg},4`)).toBe('OK');
    expect(await g.handle('c')).toBe(`T05thread:01;awatch:${lcg};`);
    expect(s.cpu.pc).not.toBe(main + 0x10n);
    expect(await g.handle('Z2,41000000,0')).toBe('E01');
  });

  it('monitor runs tr, tlb and stats (hex-encoded output); run commands are refused', async () => {
    const { g } = await stub();
    const hex = (t: string): string => toHex(new TextEncoder().encode(t));
    const text = (r: string | null): string => new TextDecoder().decode(fromHex(r!));
    expect(text(await g.handle('qRcmd,' + hex('stats')))).toMatch(/^instructions 0\ncycles/);
    expect(text(await g.handle('qRcmd,' + hex('tr 0x40000000')))).toMatch(/read 0x40000000 at EL1: stage 1 off/);
    expect(text(await g.handle('qRcmd,' + hex('tlb')))).toMatch(/no TLB entries/);
    expect(text(await g.handle('qRcmd,' + hex('continue')))).toMatch(/^error: 'continue' is not available from GDB's monitor/);
    expect(text(await g.handle('qRcmd,' + hex('frobnicate')))).toMatch(/^error: unknown command/);
  });

  it("GDB's ^C (interrupt) stops a continue that would run forever with T02", async () => {
    const s = await Session.create({ guest: join(__dirname, '..', '..', 'guests', 'build', 'echo.elf') });
    const g = new GdbStub(s);
    await g.init();
    const reply = g.handle('c'); // echo.elf polls the UART forever
    await new Promise((r) => setTimeout(r, 50));
    g.interrupt();
    expect(await reply).toBe('T02thread:01;');
    expect(s.cpu.instret).toBeGreaterThan(0);
    expect(await g.handle('?')).toBe('T02thread:01;');
  });

  it('the guest exit is a W packet with its status; D detaches, k kills', async () => {
    const { g } = await stub();
    expect(await g.handle('c')).toBe('W00');
    expect(g.ended?.kind).toBe('exit');
    const b = await stub();
    expect(await b.g.handle('D')).toBe('OK');
    expect(b.g.ended?.kind).toBe('detach');
    const c = await stub();
    expect(await c.g.handle('k')).toBeNull();
    expect(c.g.ended?.kind).toBe('kill');
  });
});
