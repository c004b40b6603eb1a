// Guest image loading: ELF64 AArch64 (by content), assembly (.S/.s) or raw binary (anything else,
// typically .bin). The kind is chosen by content first: an ELF is an ELF whatever its name, and a
// file named .elf/.axf without the ELF magic is an error rather than a raw image.
import { basename, dirname } from 'node:path';
import type { Machine } from '../machine.js';
import { UserError, hex } from '../errors.js';
import { SymbolTable } from './symbols.js';
import { isElf, parseElf, loadElfSegments } from './elf.js';
import { loadRaw } from './raw.js';
import { assembleSource } from './asm.js';
import { readInputFile, MAX_BINARY_INPUT } from './input-file.js';
import { isArm64Image, loadLinux, type LinuxChosen } from './linux.js';
import { RAW_KERNEL_OFFSET, initrdBase, dtbBase } from './kernel-layout.js';
import { userDtbWithChosen, type UserDtb } from './dtb-file.js';

export { UserError } from '../errors.js';
export { SymbolTable } from './symbols.js';

export interface LoadedImage {
  entry: bigint;
  symbols: SymbolTable;
  kind: 'elf' | 'raw' | 'asm' | 'linux';
  /** x0 at entry (a Linux Image or raw kernel: the DTB's address; booting.rst wants x1..x3 zero, as boot leaves them). */
  x0?: bigint;
  /** The device tree placed in RAM for the guest (Linux Image, raw kernel): for --dump-dtb. */
  dtb?: { addr: number; blob: Uint8Array };
}

/** Builds the board's device tree for a Linux boot: memory from the bus, /chosen as given. */
export type LinuxDtbBuilder = (board: { ramBase: number; ramSize: number }, chosen: LinuxChosen) => Uint8Array;

export interface LoadOptions {
  /** Load address for raw binaries (default 0x40000000) and assembly (overrides the base comment). */
  addr?: bigint;
  /** An initrd for a Linux Image (placed in RAM, its range in the DT's /chosen). */
  initrd?: string;
  /** The kernel command line (/chosen bootargs) for a Linux Image. */
  append?: string;
  /** The board's DT generator; a Linux Image cannot boot without one. */
  linuxDtb?: LinuxDtbBuilder;
  /** `--dtb FILE`: the user's tree (validated), used instead of linuxDtb with /chosen filled in. */
  dtb?: UserDtb;
}

/**
 * A guest, initrd or data file: a regular file of at most `max` bytes (default: the largest RAM;
 * see input-file.ts). /dev/zero or a FIFO is a one-line error, not an endless read.
 */
export async function readGuestFile(path: string, max = MAX_BINARY_INPUT, what?: string): Promise<Uint8Array> {
  return readInputFile(path, max, what);
}

export async function loadImage(m: Machine, path: string, opts: LoadOptions = {}): Promise<LoadedImage> {
  const data = await readGuestFile(path);
  const name = basename(path);
  const bus = m.bus;
  if (isElf(data)) {
    // Checked here too: an ELF silently ignored them before. QEMU enters an ELF with x0 = 0: no tree to give it.
    if (opts.initrd !== undefined || opts.append !== undefined) throw new UserError(`${name}: --initrd and --append apply to a Linux Image or a raw kernel (this is an ELF)`);
    if (opts.dtb !== undefined) throw new UserError(`${name}: --dtb applies to a Linux Image or a raw kernel (an ELF is entered with x0 = 0, as QEMU does)`);
    if (opts.addr !== undefined) throw new UserError(`${name}: an ELF is loaded at its own addresses; --addr applies to raw binaries only`);
    const elf = parseElf(data, name);
    const end = loadElfSegments(elf, data, { base: bus.ramBase, size: bus.ramSize, load: (pa, d) => bus.load(pa, d) }, name);
    m.noteLoaded(end);
    return { entry: elf.entry, symbols: elf.symbols, kind: 'elf' };
  }
  if (isArm64Image(data)) {
    // An arm64 Linux Image (raw or gzip-compressed): the booting.rst protocol.
    if (opts.addr !== undefined) throw new UserError(`${name}: a Linux Image is placed by the boot protocol; --addr applies to raw binaries only`);
    const makeDtb = dtbMaker(opts);
    if (makeDtb === undefined) throw new UserError(`${name}: a Linux Image needs the board's device tree, which this command cannot build`);
    const initrd = opts.initrd !== undefined ? await readGuestFile(opts.initrd, bus.ramSize, 'RAM') : undefined;
    let blob: Uint8Array = new Uint8Array(0);
    const b = loadLinux(bus, data, name, { initrd, append: opts.append }, (chosen) => (blob = makeDtb(bus, chosen)));
    m.noteLoaded(b.end);
    return { entry: BigInt(b.entry), symbols: new SymbolTable(), kind: 'linux', x0: BigInt(b.dtb), dtb: { addr: b.dtb, blob } };
  }
  if (opts.dtb !== undefined && /\.s$/i.test(path)) throw new UserError(`${name}: --dtb applies to a Linux Image or a raw kernel (not to assembly)`);
  if (/\.(elf|axf)$/i.test(path)) {
    // Named as an ELF but without the magic: report it rather than run the bytes as a raw image.
    throw new UserError(`${name}: not an ELF file (bad magic ${[...data.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ') || 'in an empty file'})`);
  }
  if (/\.s$/i.test(path)) {
    if (opts.initrd !== undefined || opts.append !== undefined) {
      throw new UserError(`${name}: --initrd and --append apply to a Linux Image or a raw kernel (not to assembly)`);
    }
    const text = new TextDecoder().decode(data);
    const img = await assembleSource(text, name, opts.addr, { includeDir: dirname(path), path });
    m.noteLoaded(loadRaw(bus, img.code, img.base, name));
    return { entry: img.entry, symbols: img.symbols, kind: 'asm' };
  }
  if (data.length === 0) throw new UserError(`${name}: empty file`);
  return loadRawKernel(m, data, name, opts);
}

/** The device tree for a boot: the user's (--dtb) with /chosen written in, or the board's generator. */
function dtbMaker(opts: LoadOptions): LinuxDtbBuilder | undefined {
  const user = opts.dtb;
  if (user !== undefined) return (_board, chosen) => userDtbWithChosen(user, chosen);
  return opts.linuxDtb;
}

/**
 * A raw binary, booted as QEMU's virt boots a `-kernel` that is neither ELF nor Image
 * (kernel-layout.ts): at RAM + 0x80000 unless --addr says otherwise, entered with x0 = the device
 * tree's address (x1..x3 = 0), an initrd and the tree placed away from its end. Without a tree
 * builder (a library caller that passes none) the image runs with x0 = 0, as before.
 */
async function loadRawKernel(m: Machine, data: Uint8Array, name: string, opts: LoadOptions): Promise<LoadedImage> {
  const bus = m.bus;
  const addr = opts.addr ?? BigInt(bus.ramBase + RAW_KERNEL_OFFSET);
  const end = loadRaw(bus, data, addr, name);
  m.noteLoaded(end);
  const makeDtb = dtbMaker(opts);
  if (makeDtb === undefined) {
    if (opts.initrd !== undefined || opts.append !== undefined) throw new UserError(`${name}: --initrd and --append need the board's device tree, which this command cannot build`);
    return { entry: addr, symbols: new SymbolTable(), kind: 'raw' };
  }
  const ram = { ramBase: bus.ramBase, ramSize: bus.ramSize };
  const initrd = opts.initrd !== undefined ? await readGuestFile(opts.initrd, bus.ramSize, 'RAM') : null;
  const initrdStart = initrdBase(ram, end);
  let initrdEnd = initrdStart;
  if (initrd !== null && initrd.length > 0) initrdEnd = loadRaw(bus, initrd, BigInt(initrdStart), opts.initrd!);
  const blob = makeDtb(ram, { bootargs: opts.append ?? '', initrd: initrdEnd > initrdStart ? { start: initrdStart, end: initrdEnd } : null });
  const at = dtbBase(ram, initrdEnd, blob.length, name);
  bus.load(at, blob);
  m.noteLoaded(at + blob.length);
  return { entry: addr, symbols: new SymbolTable(), kind: 'raw', x0: BigInt(at), dtb: { addr: at, blob } };
}

/** Start the CPU at a loaded image's entry with its boot registers (Machine.boot, then x0). */
export function bootLoaded(m: Machine, img: LoadedImage): void {
  m.boot(img.entry);
  if (img.x0 !== undefined) m.cpu.writeX(0, img.x0);
}

/** `--load FILE@ADDR`: extra raw data. */
export async function loadData(m: Machine, spec: string): Promise<void> {
  const at = spec.lastIndexOf('@');
  if (at <= 0 || at === spec.length - 1) throw new UserError(`--load ${spec}: expected FILE@ADDR, e.g. data.bin@0x40100000`);
  const file = spec.slice(0, at);
  const addr = parseAddress(spec.slice(at + 1), `--load ${spec}`);
  const data = await readGuestFile(file, m.bus.ramSize, 'RAM');
  m.noteLoaded(loadRaw(m.bus, data, addr, file));
}

/** Parse 0x-hex or decimal (underscores allowed) into a non-negative bigint. */
export function parseAddress(s: string, what: string): bigint {
  const t = s.trim().replace(/_/g, '');
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) throw new UserError(`${what}: bad address '${s}' (use hex like 0x40000000 or decimal)`);
  const v = BigInt(t);
  if (v >= 1n << 64n) throw new UserError(`${what}: address ${hex(v)} does not fit in 64 bits`);
  return v;
}
