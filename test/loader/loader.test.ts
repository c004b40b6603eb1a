// Loaders: ELF64 AArch64 (PT_LOAD at p_paddr like QEMU -kernel), raw binaries, keystone assembly.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../../src/machine.js';
import { loadImage, loadData, UserError } from '../../src/loader/index.js';
import { SymbolTable } from '../../src/loader/symbols.js';

const FIX = join(__dirname, '..', 'fixtures');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-loader-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, data: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

async function loadErr(path: string, m = new Machine({ ramSize: 1 << 20 })): Promise<string> {
  try {
    await loadImage(m, path);
  } catch (e) {
    expect((e as { userError?: boolean }).userError).toBe(true);
    const msg = (e as Error).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error('expected a load error');
}

describe('ELF loader', () => {
  it('loads PT_LOAD segments at their physical address and zero-fills memsz beyond filesz', async () => {
    const m = new Machine({ ramSize: 1 << 20 });
    m.bus.load(0x4000_0018, new Uint8Array(0x50).fill(0xee)); // garbage the zero fill must clear
    const img = await loadImage(m, join(FIX, 'tiny.elf'));
    expect(img.kind).toBe('elf');
    expect(img.entry).toBe(0x4000_0000n);
    // .data is linked at 0x40100000 (VMA) but stored at 0x40000018 (LMA): it lands at the LMA.
    expect(m.bus.read(0x4000_0018, 4)).toBe(0x1234_5678);
    expect(m.bus.read(0x4010_0000, 4)).toBe(0);
    expect(m.bus.read(0x4000_001c, 4)).toBe(0); // memsz > filesz: zeroed
    expect(m.bus.read(0x4000_0058, 4)).toBe(0);
    expect(m.bus.read(0x4000_005c, 4)).toBe(0xeeee_eeee); // past memsz: untouched
  });

  it('reads .symtab: functions with sizes, labels, no mapping symbols', async () => {
    const m = new Machine({ ramSize: 1 << 20 });
    const img = await loadImage(m, join(FIX, 'tiny.elf'));
    expect(img.symbols.lookup('_start')).toBe(0x4000_0000n);
    expect(img.symbols.lookup('value')).toBe(0x4010_0000n);
    expect(img.symbols.lookup('helper')).toBe(0x4000_000cn);
    expect(img.symbols.names().some((n) => n.startsWith('$'))).toBe(false);
    expect(img.symbols.format(0x4000_0004n)).toBe('_start+0x4');
    expect(img.symbols.format(0x4000_000cn)).toBe('helper');
  });

  it('a picolibc image keeps .data at its LMA (its crt0 copies it to the VMA)', async () => {
    const m = new Machine();
    const img = await loadImage(m, join(FIX, 'picolibc-hello.elf'));
    expect(img.symbols.lookup('main')).toBeDefined();
    // `int counter = 5;` lives in .data: VMA 0x40200000+, LMA in flash after .text.
    const vma = img.symbols.lookup('counter')!;
    expect(vma >= 0x4020_0000n).toBe(true);
    expect(m.bus.read(Number(vma), 4)).toBe(0);
    const lma = 0x4000_2938 + Number(vma - 0x4020_0000n);
    expect(m.bus.read(lma, 4)).toBe(5);
  });

  it('records the end of the image for SYS_HEAPINFO', async () => {
    const m = new Machine({ ramSize: 1 << 20 });
    await loadImage(m, join(FIX, 'tiny.elf'));
    expect(m.imageEnd).toBe(0x4000_005c);
  });

  const tiny = (): Uint8Array => new Uint8Array(readFileSync(join(FIX, 'tiny.elf')));
  const patch = (f: (b: Uint8Array, dv: DataView) => void): Uint8Array => {
    const b = tiny();
    f(b, new DataView(b.buffer));
    return b;
  };

  it('moves an entry inside an executable segment with VMA != LMA to its physical copy, as QEMU does', async () => {
    const b = patch((_b, dv) => {
      dv.setBigUint64(64 + 16, 0x8000_0000n, true); // segment 0 p_vaddr
      dv.setBigUint64(24, 0x8000_0004n, true); // e_entry
    });
    const img = await loadImage(new Machine({ ramSize: 1 << 20 }), file('vma.elf', b));
    expect(img.entry).toBe(0x4000_0004n);
  });

  it('rejects bad magic in a file named .elf (it is not run as a raw image)', async () => {
    expect(await loadErr(file('bad.elf', 'MZ\x90\x00 not an elf'))).toBe('bad.elf: not an ELF file (bad magic 4d 5a c2 90)');
    const { parseElf } = await import('../../src/loader/elf.js');
    expect(() => parseElf(new Uint8Array([0x7f, 0x45, 0x4c, 0x47]), 'x')).toThrow(/bad magic/);
  });
  it('rejects a 32-bit ELF', async () => {
    expect(await loadErr(file('a.elf', patch((b) => (b[4] = 1))))).toMatch(/^a\.elf: not a 64-bit ELF/);
  });
  it('rejects a big-endian ELF', async () => {
    expect(await loadErr(file('b.elf', patch((b) => (b[5] = 2))))).toMatch(/not a little-endian ELF/);
  });
  it('rejects another architecture (e_machine 62, x86-64)', async () => {
    expect(await loadErr(file('c.elf', patch((_b, dv) => dv.setUint16(18, 62, true))))).toMatch(/not an AArch64 ELF \(e_machine 62/);
  });
  it('rejects a relocatable object', async () => {
    expect(await loadErr(file('d.elf', patch((_b, dv) => dv.setUint16(16, 1, true))))).toMatch(/relocatable object.*link it first/);
  });
  it('rejects a truncated ELF header', async () => {
    expect(await loadErr(file('e.elf', tiny().subarray(0, 40)))).toMatch(/truncated ELF header/);
  });
  it('rejects truncated program headers', async () => {
    expect(await loadErr(file('f.elf', patch((_b, dv) => dv.setBigUint64(32, 0x1000_0000n, true))))).toMatch(/truncated program headers/);
  });
  it('rejects a segment past the end of the file', async () => {
    const full = tiny();
    const phnum = new DataView(full.buffer).getUint16(56, true);
    const b = new Uint8Array(full.subarray(0, 64 + 56 * phnum)); // headers only, no segment data
    new DataView(b.buffer).setBigUint64(40, 0n, true); // no section headers either
    expect(await loadErr(file('g.elf', b))).toMatch(/truncated segment 0/);
  });
  it('rejects truncated section headers', async () => {
    expect(await loadErr(file('h.elf', patch((_b, dv) => dv.setBigUint64(40, 0x10_0000n, true))))).toMatch(/truncated section headers/);
  });
  it('rejects a segment outside RAM, naming the range', async () => {
    const msg = await loadErr(file('i.elf', patch((_b, dv) => dv.setBigUint64(64 + 24, 0x1000n, true))));
    expect(msg).toMatch(/segment 0 at 0x1000-0x1017 is outside RAM 0x40000000-0x400fffff/);
  });
  it('drops segment bytes below RAM when they are only headers and zeros (ld -Ttext=0x40000000), as QEMU does', async () => {
    const m = new Machine({ ramSize: 1 << 20 });
    const img = await loadImage(m, join(FIX, 'ttext.elf'));
    expect(img.entry).toBe(0x4000_0000n);
    expect(m.bus.read(0x4000_0000, 4)).toBe(0xd503_201f); // nop
  });
  it('rejects a segment whose code below RAM would be lost', async () => {
    // Move tiny.elf's code segment 16 bytes below RAM: real instructions would land outside.
    const msg = await loadErr(file('k.elf', patch((_b, dv) => dv.setBigUint64(64 + 24, 0x3fff_fff0n, true))));
    expect(msg).toMatch(/segment 0 at 0x3ffffff0-0x40000007 is outside RAM/);
  });
  it('rejects filesz > memsz', async () => {
    expect(await loadErr(file('j.elf', patch((_b, dv) => dv.setBigUint64(64 + 40, 4n, true))))).toMatch(/p_filesz 0x18 > p_memsz 0x4/);
  });
  it('reports a missing file in one line', async () => {
    expect(await loadErr(join(dir, 'nope.elf'))).toMatch(/nope\.elf: no such file/);
  });
});

describe('raw loader', () => {
  it('loads a .bin at RAM + 0x80000 by default (QEMU -kernel), or at addr; entry = load address', async () => {
    const m = new Machine({ ramSize: 1 << 20 });
    const p = file('x.bin', new Uint8Array([1, 2, 3, 4]));
    const a = await loadImage(m, p);
    expect(a).toMatchObject({ kind: 'raw', entry: 0x4008_0000n });
    expect(m.bus.read(0x4008_0000, 4)).toBe(0x0403_0201);
    const b = await loadImage(m, p, { addr: 0x4000_1000n });
    expect(b.entry).toBe(0x4000_1000n);
    expect(m.bus.read(0x4000_1000, 4)).toBe(0x0403_0201);
  });
  it('rejects data that does not fit in RAM', async () => {
    const m = new Machine({ ramSize: 1 << 20 });
    const p = file('y.bin', new Uint8Array(16));
    await expect(loadImage(m, p, { addr: 0x400f_fff8n })).rejects.toThrow(/16 bytes at 0x400ffff8 do not fit in RAM/);
    await expect(loadImage(m, p, { addr: 0x1000n })).rejects.toBeInstanceOf(UserError);
  });
  it('--load FILE@ADDR places data; a bad spec is a one-line error', async () => {
    const m = new Machine({ ramSize: 1 << 20 });
    const p = file('z.bin', new Uint8Array([9, 8]));
    await loadData(m, `${p}@0x40000100`);
    expect(m.bus.read(0x4000_0100, 2)).toBe(0x0809);
    await expect(loadData(m, p)).rejects.toThrow(/expected FILE@ADDR/);
    await expect(loadData(m, `${p}@zz`)).rejects.toThrow(/bad address 'zz'/);
  });
});

describe('assembly loader', () => {
  it('assembles at 0x40000000 with _start as the entry and labels as symbols (globals too)', async () => {
    const m = new Machine({ ramSize: 1 << 20 });
    const p = file('a.S', '.global _start\nfirst: nop\n_start: b first\n.balign 8\ndata: .quad 1\n');
    const img = await loadImage(m, p);
    expect(img.kind).toBe('asm');
    expect(img.entry).toBe(0x4000_0004n);
    expect(img.symbols.lookup('first')).toBe(0x4000_0000n);
    expect(img.symbols.lookup('data')).toBe(0x4000_0008n);
    expect(m.bus.read(0x4000_0000, 4)).toBe(0xd503_201f); // NOP
  });
  it('honours a `// a64hv: base=0x...` comment', async () => {
    const m = new Machine({ ramSize: 1 << 20 });
    const img = await loadImage(m, file('b.S', '// a64hv: base=0x40080000\nnop\nhere: b here\n'));
    expect(img.entry).toBe(0x4008_0000n);
    expect(img.symbols.lookup('here')).toBe(0x4008_0004n);
    expect(m.bus.read(0x4008_0004, 4)).toBe(0x1400_0000);
  });
  it('keeps literal pools after the code and symbols right', async () => {
    const m = new Machine({ ramSize: 1 << 20 });
    const img = await loadImage(m, file('c.s', 'ldr x0, =0x123456789\nlast: nop\n'));
    expect(img.symbols.lookup('last')).toBe(0x4000_0004n);
  });
  it('reports an invalid mnemonic as file:line', async () => {
    expect(await loadErr(file('e1.S', 'nop\n\n  frob x1, x2\nnop\n'))).toMatch(/^e1\.S:3: Invalid mnemonic/);
  });
  it('reports an undefined symbol at the line using it (forward references are fine)', async () => {
    expect(await loadErr(file('e2.S', 'b later\nnop\nb nowhere\nlater: nop\n'))).toMatch(/^e2\.S:3: .*symbol/i);
  });
  it('reports an operand keystone rejects', async () => {
    expect(await loadErr(file('e3.S', 'nop\nadd x0, x0, #99999\n'))).toMatch(/^e3\.S:2: /);
  });
  it('reports a directive keystone only prints to stderr (empty output) at its line', async () => {
    expect(await loadErr(file('e4.S', 'nop\nnop\n.section .data\nnop\n'))).toMatch(/^e4\.S:3: .*section/);
  });
  it('reports section directives that crash keystone at their line', async () => {
    expect(await loadErr(file('e5.S', 'nop\n.data\nnop\n'))).toMatch(/^e5\.S:2: .*section directives/);
  });
});

describe('SymbolTable', () => {
  it('maps addresses to the nearest preceding symbol; sized symbols only cover their size', () => {
    const t = new SymbolTable();
    t.add('f', 0x1000n, 0x10n);
    t.add('label', 0x2000n);
    expect(t.format(0x1000n)).toBe('f');
    expect(t.format(0x100cn)).toBe('f+0xc');
    expect(t.format(0x1010n)).toBeUndefined();
    expect(t.format(0x2abcn)).toBe('label+0xabc');
    expect(t.format(0xfffn)).toBeUndefined();
    expect(t.lookup('label')).toBe(0x2000n);
    expect(t.lookup('nope')).toBeUndefined();
  });
});
