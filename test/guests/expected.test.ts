// The recorded QEMU results in guests/expected/ are complete and show what each guest is
// meant to demonstrate (independent of our emulator, so these pass on their own).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { Keystone, Const, loadKeystone } from 'keystone-wasm';
import { expandIncludes } from '../../src/loader/asm-include.js';

const GUESTS = fileURLToPath(new URL('../../guests/', import.meta.url));

function expected(name: string): { output: string; exitCode: number } {
  return {
    output: readFileSync(`${GUESTS}expected/${name}.txt`, 'latin1'),
    exitCode: Number(readFileSync(`${GUESTS}expected/${name}.exit`, 'utf8').trim()),
  };
}

describe('expected files', () => {
  it('were recorded for every guest ELF the tests and benchmark use', () => {
    for (const name of ['hello', 'echo', 'el0-svc', 'exceptions', 'mmu', 'loop', 'loop-short', 'sort', 'sort-large', 'printf', 'float', 'intops', 'corelike']) {
      const e = expected(name);
      expect(e.output.length, name).toBeGreaterThan(0);
      expect(Number.isInteger(e.exitCode), name).toBe(true);
    }
  });

  it('show the asm guests behaving as designed on QEMU', () => {
    expect(expected('hello').output).toMatch(/^Hello from a64hv!/);
    expect(expected('hello').exitCode).toBe(0);
    const svc = expected('el0-svc');
    // EC 0x15 (SVC from AArch64), IL=1, ISS = imm16, as QEMU reported it.
    expect(svc.output).toContain('ESR_EL1=0x56000001');
    expect(svc.exitCode).toBe(42);
    const mmu = expected('mmu').output;
    // Fault status codes: permission L3, translation L3, access flag L3, translation L2/L1.
    for (const fsc of ['0f', '07', '0b', '06', '05']) expect(mmu).toMatch(new RegExp(`EC=0x25 WnR=[01] FSC=0x${fsc} `));
    expect(mmu).toContain('EC=0x25 WnR=1 FSC=0x0f FAR=0x0000000040201000');
    expect(mmu).toContain('EC=0x21 WnR=0 FSC=0x0f FAR=0x0000000040204000');
    expect(mmu).toContain('after TLBI VAE1: 0xb0b0b0b0b0b0b0b0');
    expect(expected('loop-short').output).toMatch(/^loop checksum: 0x[0-9a-f]{16}\n$/);
    expect(expected('sort').output).toMatch(/PASS\n$/);
    // corelike's self-checks (sorted list, state machine token classes) held on QEMU.
    expect(expected('corelike').output).toMatch(/checksum=[0-9a-f]{4} failures=0\nPASS\n$/);
  });
});

describe('loop-short.S', () => {
  it('is loop.S with only the iteration count changed (make regenerates it)', () => {
    const full = readFileSync(`${GUESTS}asm/loop.S`, 'utf8').split('\n');
    const short = readFileSync(`${GUESTS}asm/loop-short.S`, 'utf8').split('\n');
    expect(short[0]).toMatch(/^\/\/ GENERATED from loop\.S/);
    const rest = short.slice(1);
    expect(rest.length).toBe(full.length);
    const diffs = rest.flatMap((l, k) => (l === full[k] ? [] : [[full[k], l]]));
    expect(diffs).toEqual([['    .quad 100000000', '    .quad 10000']]);
  });
});

/** The bytes of an ELF64 little-endian file's single PT_LOAD segment, and its address. */
function loadSegment(elf: Buffer): { vaddr: bigint; bytes: Buffer } {
  expect(elf.readUInt32BE(0)).toBe(0x7f454c46); // \x7fELF
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  const loads = [];
  for (let k = 0; k < phnum; k++) {
    const ph = phoff + k * phentsize;
    if (elf.readUInt32LE(ph) !== 1) continue; // PT_LOAD
    const offset = Number(elf.readBigUInt64LE(ph + 8));
    const filesz = Number(elf.readBigUInt64LE(ph + 32));
    loads.push({ vaddr: elf.readBigUInt64LE(ph + 16), bytes: elf.subarray(offset, offset + filesz) });
  }
  expect(loads.length).toBe(1);
  return loads[0];
}

describe('committed guest builds', () => {
  // The tests run each asm guest both from its ELF and from its source: they must be one program.
  it('each asm ELF holds exactly what keystone assembles from its .S', async () => {
    await loadKeystone();
    for (const name of ['hello', 'echo', 'el0-svc', 'exceptions', 'mmu', 'loop', 'loop-short']) {
      const ks = new Keystone(Const.KS_ARCH_ARM64, Const.KS_MODE_LITTLE_ENDIAN);
      const path = `${GUESTS}asm/${name}.S`;
      const text = expandIncludes(readFileSync(path, 'utf8'), path, dirname(path), path).lines.join('\n');
      const fromSource = Buffer.from(ks.asm(text, { address: 0x4000_0000 }));
      const seg = loadSegment(readFileSync(`${GUESTS}build/${name}.elf`));
      expect(seg.vaddr, name).toBe(0x4000_0000n);
      expect(fromSource.equals(seg.bytes), `${name}: build/${name}.elf is stale (run make -C guests)`).toBe(true);
    }
  });

  it('were built from the sources in the tree (build/SOURCES.sha256, written by make)', () => {
    const lines = readFileSync(`${GUESTS}build/SOURCES.sha256`, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) {
      const [hash, file] = line.split(/\s+/);
      const now = createHash('sha256').update(readFileSync(GUESTS + file)).digest('hex');
      expect(now, `guests/${file} changed since the ELFs were built: run make -C guests (and make expected)`).toBe(hash);
    }
  });
});
