// Devicetree Specification v0.4, chapter 5 (Flattened Devicetree Format): header, memory
// reservation block, structure block tokens, strings block.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FdtBuilder,
  readFdt,
  fdtFind,
  propCells,
  propStrings,
  encodeValue,
  FDT_MAGIC,
  FDT_BEGIN_NODE,
  FDT_PROP,
  FDT_END_NODE,
  FDT_END,
} from '../../src/loader/fdt.js';

function sample(): Uint8Array {
  const t = new FdtBuilder();
  t.reserve(0x4800_0000, 0x1000).reserve(0x1_2345_6000, 0x2_0000_0000);
  t.root.prop('#address-cells', [2]).prop('compatible', 'test,board');
  const a = t.root.node('a@1');
  const ha = a.phandle();
  a.prop('list', ['x', 'yz']).prop('bytes', new Uint8Array([1, 2, 3])).prop('empty');
  t.root.node('b').prop('ref', [ha]).prop('reg', { u64: [0x4000_0000, 0x1_0000_0000] });
  return t.toBytes();
}

const u32 = (b: Uint8Array, o: number): number => new DataView(b.buffer, b.byteOffset).getUint32(o);

describe('fdt writer (DT spec v0.4 ch. 5)', () => {
  it('writes the 5.2 header: magic, version 17, last_comp_version 16, consistent offsets and sizes', () => {
    const b = sample();
    const h = readFdt(b).header;
    expect(h.magic).toBe(FDT_MAGIC);
    expect(u32(b, 0)).toBe(0xd00dfeed); // big-endian on the wire
    expect(h.version).toBe(17);
    expect(h.lastCompVersion).toBe(16);
    expect(h.totalsize).toBe(b.length);
    // 5.3: the reservation block is 8-byte aligned; 5.4: the structure block 4-byte aligned.
    expect(h.offMemRsvmap % 8).toBe(0);
    expect(h.offDtStruct % 4).toBe(0);
    expect(h.offDtStruct).toBe(h.offMemRsvmap + 3 * 16); // two entries + the terminating zero entry
    expect(h.offDtStrings).toBe(h.offDtStruct + h.sizeDtStruct);
    expect(h.offDtStrings + h.sizeDtStrings).toBeLessThanOrEqual(h.totalsize);
    // 5.4.1: the structure block starts with the root's FDT_BEGIN_NODE (empty name) and ends with FDT_END.
    expect(u32(b, h.offDtStruct)).toBe(FDT_BEGIN_NODE);
    expect(u32(b, h.offDtStruct + 4)).toBe(0);
    expect(u32(b, h.offDtStruct + h.sizeDtStruct - 4)).toBe(FDT_END);
    expect(u32(b, h.offDtStruct + h.sizeDtStruct - 8)).toBe(FDT_END_NODE);
    expect(u32(b, h.offDtStruct + 8)).toBe(FDT_PROP);
  });

  it('round-trips reservations (64-bit address/size) and the tree', () => {
    const p = readFdt(sample());
    expect(p.reservations).toEqual([
      { address: 0x4800_0000, size: 0x1000 },
      { address: 0x1_2345_6000, size: 0x2_0000_0000 },
    ]);
    expect(p.root.name).toBe('');
    expect(p.root.children.map((c) => c.name)).toEqual(['a@1', 'b']);
    expect(propStrings(p.root, 'compatible')).toEqual(['test,board']);
    const a = fdtFind(p.root, '/a@1')!;
    expect(propStrings(a, 'list')).toEqual(['x', 'yz']);
    expect([...a.props.get('bytes')!]).toEqual([1, 2, 3]);
    expect(a.props.get('empty')!.length).toBe(0);
    // 2.2.4: a u64 is two cells, high word first.
    expect(propCells(fdtFind(p.root, '/b')!, 'reg')).toEqual([0, 0x4000_0000, 1, 0]);
  });

  it('phandles are unique, non-zero, and references resolve (2.3.3)', () => {
    const t = new FdtBuilder();
    const x = t.root.node('x');
    const y = t.root.node('y');
    const hx = x.phandle();
    const hy = y.phandle();
    expect(hx).not.toBe(0);
    expect(hy).not.toBe(hx);
    expect(x.phandle()).toBe(hx); // asking again returns the same handle
    t.root.node('user').prop('clocks', [hy, hx]);
    const p = readFdt(t.toBytes());
    const byHandle = new Map(p.root.children.filter((c) => c.props.has('phandle')).map((c) => [propCells(c, 'phandle')![0], c.name]));
    expect(propCells(fdtFind(p.root, '/user')!, 'clocks')!.map((h) => byHandle.get(h))).toEqual(['y', 'x']);
  });

  it('pads node names and property values to 4 bytes and stores each property name once (5.4.1, 5.5)', () => {
    const t = new FdtBuilder();
    t.root.node('abcde').prop('p', new Uint8Array([9]));
    t.root.node('f').prop('p', [1]);
    const b = t.toBytes();
    const h = readFdt(b).header;
    // Strings block holds "p\0" once.
    expect(h.sizeDtStrings).toBe(2);
    // root: BEGIN, "" (4) | abcde: BEGIN, "abcde\0" (8), PROP len nameoff, value (4), END | f: BEGIN, "f\0" (4), PROP.., (4), END | END, END
    expect(h.sizeDtStruct).toBe(8 + (4 + 8 + 12 + 4 + 4) + (4 + 4 + 12 + 4 + 4) + 4 + 4);
    expect(h.sizeDtStruct % 4).toBe(0);
  });

  it('encodes values: cells big-endian, strings NUL-terminated, string lists concatenated', () => {
    expect([...encodeValue([0x01020304])]).toEqual([1, 2, 3, 4]);
    expect([...encodeValue('ab')]).toEqual([0x61, 0x62, 0]);
    expect([...encodeValue(['a', 'b'])]).toEqual([0x61, 0, 0x62, 0]);
  });

  it('rejects malformed blobs with one-line errors', () => {
    expect(() => readFdt(new Uint8Array(8))).toThrow(/shorter than its header/);
    const b = sample();
    b[0] = 0;
    expect(() => readFdt(b)).toThrow(/not a device tree/);
  });

  it.skipIf(!hasDtc())('dtc (when installed) decompiles the blob', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdt-'));
    writeFileSync(join(dir, 'x.dtb'), sample());
    const dts = execFileSync('dtc', ['-I', 'dtb', '-O', 'dts', join(dir, 'x.dtb')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(dts).toContain('/memreserve/\t0x0000000048000000 0x0000000000001000;');
    expect(dts).toContain('list = "x\\0yz";');
    expect(dts).toContain('ref = <0x01>;');
  });
});

function hasDtc(): boolean {
  if (!['/usr/bin/dtc', '/usr/local/bin/dtc'].some((p) => existsSync(p))) {
    console.log('fdt.test: dtc not installed, skipping the dtc cross-check');
    return false;
  }
  return true;
}

describe('readFdt on hostile blobs (--dtb takes any file)', () => {
  it('every corruption of a valid blob parses or throws a one-line Error: no RangeError, no hang', () => {
    const t = new FdtBuilder();
    t.root.prop('model', 'x').node('chosen').prop('bootargs', 'console=ttyAMA0').prop('reg', [1, 2]);
    const good = t.toBytes();
    // A deterministic LCG: each case overwrites one byte (header fields, tokens, lengths, name offsets) or truncates.
    let seed = 12345;
    const rnd = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    let errors = 0;
    for (let k = 0; k < 3000; k++) {
      const b = good.slice(0, k % 7 === 0 ? rnd(good.length) : good.length);
      if (b.length > 0) b[rnd(b.length)] = rnd(256);
      if (b.length > 0 && k % 3 === 0) b[rnd(b.length)] = 0xff;
      try {
        readFdt(b);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect(e).not.toBeInstanceOf(RangeError);
        expect((e as Error).message).not.toContain('\n');
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(500);
  });
  it('names the rule broken: version, block outside totalsize, unterminated name, runaway property, missing FDT_END, deep nesting', () => {
    const t = new FdtBuilder();
    t.root.node('chosen').prop('bootargs', 'x');
    const good = t.toBytes();
    const set = (off: number, v: number): Uint8Array => {
      const b = good.slice();
      new DataView(b.buffer).setUint32(off, v);
      return b;
    };
    expect(() => readFdt(set(20, 16))).toThrow(/version 16 .*only version 17/);
    expect(() => readFdt(set(36, 0x10000))).toThrow(/structure block .* lies outside totalsize/);
    expect(() => readFdt(set(32, 0x10000))).toThrow(/strings block .* lies outside totalsize/);
    const hdr = readFdt(good).header;
    // The property's len field (after FDT_BEGIN_NODE "", FDT_BEGIN_NODE "chosen", FDT_PROP).
    expect(() => readFdt(set(hdr.offDtStruct + 4 + 4 + 4 + 8 + 4, 0xffff))).toThrow(/runs past the structure block/);
    expect(() => readFdt(set(hdr.offDtStruct + hdr.sizeDtStruct - 4, 4 /* FDT_NOP for FDT_END */))).toThrow(/no FDT_END/);
    const deep = new FdtBuilder();
    let n = deep.root;
    for (let i = 0; i < 70; i++) n = n.node(`n${i}`);
    expect(() => readFdt(deep.toBytes())).toThrow(/nested deeper than 64/);
  });
});
