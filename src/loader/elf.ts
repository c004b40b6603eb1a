// ELF64 AArch64 loader (System V gABI and the AArch64 ELF ABI supplement). Like QEMU's -kernel
// for an ELF, every PT_LOAD segment is copied to its physical address (p_paddr, the LMA): a
// picolibc image keeps .data's initial values at its LMA in flash and copies them to the VMA
// itself (checked: its printed initialised global is right on QEMU only because of this).
// Bytes from p_filesz to p_memsz are zero-filled. Symbols come from .symtab.
import { UserError, hex } from '../errors.js';
import { SymbolTable } from './symbols.js';

const EM_AARCH64 = 183;
const ET_REL = 1;
const ET_EXEC = 2;
const ET_DYN = 3;
const PT_LOAD = 1;
const PF_X = 1;
const SHT_SYMTAB = 2;
const STT_SECTION = 3;
const STT_FILE = 4;
const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;

export interface ElfSegment {
  paddr: bigint;
  vaddr: bigint;
  offset: number;
  filesz: number;
  memsz: number;
  flags: number;
}

export interface ParsedElf {
  /** Where execution starts: e_entry, moved to the physical copy as described in parseElf. */
  entry: bigint;
  segments: ElfSegment[];
  symbols: SymbolTable;
  /** End of the ELF header and program headers in the file. */
  headerEnd: number;
}

export function isElf(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46;
}

/** Parse and validate an ELF image; `name` prefixes error messages. */
export function parseElf(data: Uint8Array, name: string): ParsedElf {
  const bad = (msg: string): UserError => new UserError(`${name}: ${msg}`);
  if (!isElf(data)) throw bad('not an ELF file (bad magic)');
  if (data.length < 16) throw bad('truncated ELF header');
  if (data[4] !== 2) throw bad(`not a 64-bit ELF (EI_CLASS ${data[4]}); a64hv runs AArch64 images only`);
  if (data[5] !== 1) throw bad(`not a little-endian ELF (EI_DATA ${data[5]})`);
  if (data.length < EHDR_SIZE) throw bad(`truncated ELF header (${data.length} bytes, need ${EHDR_SIZE})`);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const u16 = (o: number): number => dv.getUint16(o, true);
  const u32 = (o: number): number => dv.getUint32(o, true);
  const u64 = (o: number): bigint => dv.getBigUint64(o, true);
  /** A file offset or size as a number; anything beyond the file is caught by range checks. */
  const off = (o: number): number => {
    const v = u64(o);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  };

  const type = u16(16);
  const machine = u16(18);
  if (machine !== EM_AARCH64) throw bad(`not an AArch64 ELF (e_machine ${machine}, expected ${EM_AARCH64})`);
  if (type === ET_REL) throw bad('a relocatable object (ET_REL), not an executable: link it first');
  if (type !== ET_EXEC && type !== ET_DYN) throw bad(`not an executable ELF (e_type ${type})`);
  const entry = u64(24);
  const phoff = off(32);
  const shoff = off(40);
  const phentsize = u16(54);
  const phnum = u16(56);
  const shentsize = u16(58);
  const shnum = u16(60);
  const shstrndx = u16(62);
  if (phnum === 0) throw bad('no program headers: nothing to load');
  if (phentsize !== PHDR_SIZE) throw bad(`bad program header size ${phentsize} (expected ${PHDR_SIZE})`);
  if (phoff + phnum * PHDR_SIZE > data.length) throw bad('truncated program headers');

  const segments: ElfSegment[] = [];
  for (let k = 0; k < phnum; k++) {
    const p = phoff + k * PHDR_SIZE;
    if (u32(p) !== PT_LOAD) continue;
    const seg: ElfSegment = {
      flags: u32(p + 4),
      offset: off(p + 8),
      vaddr: u64(p + 16),
      paddr: u64(p + 24),
      filesz: off(p + 32),
      memsz: off(p + 40),
    };
    if (seg.filesz > seg.memsz) throw bad(`segment ${k}: p_filesz 0x${seg.filesz.toString(16)} > p_memsz 0x${seg.memsz.toString(16)}`);
    if (seg.filesz > 0 && seg.offset + seg.filesz > data.length) {
      throw bad(`truncated segment ${k}: file offset 0x${seg.offset.toString(16)}+0x${seg.filesz.toString(16)} is past the end of the file (${data.length} bytes)`);
    }
    if (seg.memsz > 0) segments.push(seg);
  }
  if (segments.length === 0) throw bad('no loadable (PT_LOAD) segments');
  // e_entry is a virtual address. As QEMU does for -kernel, an entry inside an executable
  // segment linked at a VMA other than its LMA is moved to the physical copy (execution starts
  // with the MMU off). Checked with qemu-system-aarch64 7.2: text VMA 0x80000000, LMA 0x40080000
  // -> first instruction fetched at 0x40080000.
  let entryPa = entry;
  for (const seg of segments) {
    if ((seg.flags & PF_X) !== 0 && seg.vaddr !== seg.paddr && entry >= seg.vaddr && entry < seg.vaddr + BigInt(seg.filesz)) {
      entryPa = entry - seg.vaddr + seg.paddr;
      break;
    }
  }

  const symbols = new SymbolTable();
  if (shnum > 0 && shoff !== 0) {
    if (shentsize !== SHDR_SIZE) throw bad(`bad section header size ${shentsize} (expected ${SHDR_SIZE})`);
    if (shoff + shnum * SHDR_SIZE > data.length) throw bad('truncated section headers');
    if (shstrndx >= shnum && shstrndx !== 0) throw bad(`bad section name table index ${shstrndx}`);
    for (let k = 0; k < shnum; k++) {
      const s = shoff + k * SHDR_SIZE;
      if (u32(s + 4) !== SHT_SYMTAB) continue;
      const symOff = off(s + 24);
      const symSize = off(s + 32);
      const link = u32(s + 40);
      if (link >= shnum) throw bad('symbol table links to a missing string table');
      const strOff = off(shoff + link * SHDR_SIZE + 24);
      const strSize = off(shoff + link * SHDR_SIZE + 32);
      if (symOff + symSize > data.length || strOff + strSize > data.length) throw bad('truncated symbol table');
      const strtab = data.subarray(strOff, strOff + strSize);
      const dec = new TextDecoder();
      for (let e = symOff + SYM_SIZE; e + SYM_SIZE <= symOff + symSize; e += SYM_SIZE) {
        const nameOff = u32(e);
        const info = data[e + 4];
        const shndx = u16(e + 6);
        const stype = info & 0xf;
        if (shndx === 0 || stype === STT_SECTION || stype === STT_FILE || nameOff >= strtab.length) continue;
        let end = nameOff;
        while (end < strtab.length && strtab[end] !== 0) end++;
        const sym = dec.decode(strtab.subarray(nameOff, end));
        // AArch64 mapping symbols ($x, $d, $x.123) mark code/data, they are not names.
        if (sym === '' || sym.startsWith('$')) continue;
        symbols.add(sym, u64(e + 8), u64(e + 16));
      }
    }
  }
  return { entry: entryPa, segments, symbols, headerEnd: Math.max(EHDR_SIZE, phoff + phnum * PHDR_SIZE) };
}

/** Where the image will live: [base, end) of physical RAM. */
export interface RamWindow {
  base: number;
  size: number;
  load(pa: number, data: Uint8Array): void;
}

/**
 * Copy the segments to their physical addresses. Returns the highest address written (exclusive).
 * A segment must lie in RAM, except for bytes that carry nothing: `ld -Ttext=0x40000000` makes the
 * first segment start 64 KiB lower, covering the ELF and program headers and zero padding; QEMU
 * drops the bytes that land outside RAM, and so do we, but only when they are headers or zeros.
 */
export function loadElfSegments(elf: ParsedElf, data: Uint8Array, ram: RamWindow, name: string): number {
  const ramBase = BigInt(ram.base);
  const ramEnd = BigInt(ram.base + ram.size);
  let top = 0;
  elf.segments.forEach((seg, k) => {
    const end = seg.paddr + BigInt(seg.memsz);
    const lo = seg.paddr > ramBase ? seg.paddr : ramBase;
    const hi = end < ramEnd ? end : ramEnd;
    /** Does the segment carry anything but headers and zeros in [a, b) (physical)? */
    const carries = (a: bigint, b: bigint): boolean => {
      const from = Math.max(Number(a - seg.paddr), 0);
      const to = Math.min(Number(b - seg.paddr), seg.filesz);
      for (let i = from; i < to; i++) {
        const fo = seg.offset + i;
        if (fo >= elf.headerEnd && data[fo] !== 0) return true;
      }
      return false;
    };
    if (lo >= hi || carries(seg.paddr, lo) || carries(hi, end)) {
      throw new UserError(
        `${name}: segment ${k} at ${hex(seg.paddr)}-${hex(end - 1n)} is outside RAM ` +
          `${hex(ram.base)}-${hex(ramEnd - 1n)}` +
          (seg.paddr < ramBase ? ' (link it at 0x40000000 or above)' : ' (try a larger --ram)'),
      );
    }
    const bytes = new Uint8Array(Number(hi - lo));
    const skip = Number(lo - seg.paddr);
    if (skip < seg.filesz) bytes.set(data.subarray(seg.offset + skip, seg.offset + Math.min(seg.filesz, skip + bytes.length)));
    ram.load(Number(lo), bytes);
    top = Math.max(top, Number(hi));
  });
  return top;
}
