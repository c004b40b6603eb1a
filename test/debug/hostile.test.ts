// Hostile input to the debugger (issue 14): malformed GDB packets and REPL expressions give an
// error reply or a one-line message, never an exception that ends the session.
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { RspParser, MAX_PACKET, checksum, toHex } from '../../src/debug/rsp.js';
import { GdbStub } from '../../src/debug/gdbstub.js';
import { Session } from '../../src/debug/session.js';
import { Debugger, CommandError } from '../../src/debug/commands.js';

const SORT = join(__dirname, '..', '..', 'guests', 'build', 'sort.elf');

async function stub(): Promise<{ g: GdbStub; s: Session }> {
  const s = await Session.create({ guest: SORT });
  const g = new GdbStub(s);
  await g.init();
  return { g, s };
}

describe('GDB stub: malformed fields are error replies', () => {
  it('qRcmd with bad hex and monitor with a bad address answer, and the session goes on', async () => {
    const { g } = await stub();
    expect(await g.handle('qRcmd,abc')).toBe('E01');
    expect(await g.handle('qRcmd,zz')).toBe('E01');
    const r = await g.handle('qRcmd,' + toHex(new TextEncoder().encode('x 0x_')));
    expect(Buffer.from(r!, 'hex').toString()).toMatch(/^error: '0x_' is not an address/);
    expect(g.ended).toBeNull();
    expect(await g.handle('?')).toMatch(/^T05/);
  });

  it('vCont, c ADDR, m, M, X and Z with malformed numbers reply E01', async () => {
    const { g } = await stub();
    for (const p of ['mzz,4', 'm0x40000000,4', 'm40000000,', 'm40000000,zz', 'M40000000', 'Mq,1:00', 'X40000000', 'Z0,', 'Z0,q,4', 'Z2,40000000,', 'z2,40000000,x', 'm' + 'f'.repeat(17) + ',4']) {
      expect(await g.handle(p), p).toBe('E01');
    }
    expect(g.ended).toBeNull();
  });

  it('a watchpoint length beyond 8 hex digits is refused, and the guest still runs', async () => {
    const { g, s } = await stub();
    expect(await g.handle('Z2,40000000,' + '1'.repeat(257))).toBe('E01');
    expect(await g.handle('Z2,40000000,100000000')).toBe('E01');
    expect(await g.handle('Z2,40000000,8')).toBe('OK');
    expect(await g.handle('z2,40000000,8')).toBe('OK');
    const reply = await g.handle('c');
    expect(reply).toMatch(/^W/); // sort.elf runs to its exit
    expect(s.lastStop.kind).toBe('exit');
  });
});

describe('RSP parser: bounded and linear', () => {
  it('a packet longer than MAX_PACKET is dropped as bad (nack) without buffering it', () => {
    const p = new RspParser();
    const evs = [];
    evs.push(...p.feed('$'));
    for (let k = 0; k < 64; k++) evs.push(...p.feed('a'.repeat(MAX_PACKET)));
    evs.push(...p.feed('#00+'));
    expect(evs).toEqual([{ type: 'bad', data: '' }, { type: 'ack' }]);
    // The parser is in sync again.
    expect(p.feed(`$OK#${checksum('OK').toString(16)}`)).toEqual([{ type: 'packet', data: 'OK' }]);
  });

  it('an unterminated packet fed a byte at a time costs linear time (no rescanning)', () => {
    const p = new RspParser();
    p.feed('$');
    // 16 Ki single bytes; a quadratic parser rescans up to 16 Ki each time (2^27 steps).
    let n = 0;
    for (let k = 0; k < MAX_PACKET - 64; k++) n += p.feed('a').length;
    expect(n).toBe(0);
    const body = 'a'.repeat(MAX_PACKET - 64);
    expect(p.feed(`#${checksum(body).toString(16).padStart(2, '0')}`)).toEqual([{ type: 'packet', data: body }]);
  });

  it('checksum digits split across chunks still close the packet', () => {
    const p = new RspParser();
    expect(p.feed('$g#6')).toEqual([]);
    expect(p.feed('7')).toEqual([{ type: 'packet', data: 'g' }]);
  });
});

describe('REPL expressions', () => {
  it('0x_ and over-wide numbers are command errors, not exceptions', async () => {
    const s = await Session.create({ guest: SORT });
    const d = new Debugger(s);
    await d.init();
    expect(() => d.addr('0x_')).toThrow(CommandError);
    expect(() => d.addr('0x')).toThrow(CommandError);
    expect(() => d.addr('0x1_0000_0000_0000_0000')).toThrow(/does not fit in 64 bits/);
    expect(d.addr('0x4000_0000')).toBe(0x40000000n);
    expect(d.addr('main+0x10')).toBe(d.addr('main') + 16n);
  });
});
