// Flattened devicetree (DTB, version 17) writer and reader, after the Devicetree Specification
// v0.4 chapter 5 ("Flattened Devicetree (DTB) Format"): a 40-byte header, the memory reservation
// block, the structure block (tokens) and the strings block. All fields are big-endian.

/** 5.2 header magic. */
export const FDT_MAGIC = 0xd00dfeed;
/** 5.4.1 structure block tokens. */
export const FDT_BEGIN_NODE = 1;
export const FDT_END_NODE = 2;
export const FDT_PROP = 3;
export const FDT_NOP = 4;
export const FDT_END = 9;
const HEADER_SIZE = 40;
const VERSION = 17;
/** 5.2: last_comp_version is 16 for a version 17 blob. */
const LAST_COMP_VERSION = 16;

/** A property value: u32 cells (number[]), a string, a string list (string[]) or raw bytes. */
export type FdtValue = number[] | string | string[] | Uint8Array | { u64: number[] };

export interface FdtNode {
  name: string;
  props: Map<string, Uint8Array>;
  children: FdtNode[];
}

/** One memory reservation (5.3): a 64-bit address and size, as JS numbers (below 2^53). */
export interface FdtReservation {
  address: number;
  size: number;
}

const enc = new TextEncoder();

/** Encode a property value as its bytes (2.2.4: cells big-endian, strings NUL-terminated). */
export function encodeValue(v: FdtValue): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return enc.encode(v + '\0');
  if (Array.isArray(v) && (v.length === 0 || typeof v[0] === 'number')) {
    const cells = v as number[];
    const out = new Uint8Array(cells.length * 4);
    const dv = new DataView(out.buffer);
    cells.forEach((c, i) => dv.setUint32(i * 4, c >>> 0));
    return out;
  }
  if (Array.isArray(v)) return enc.encode((v as string[]).map((s) => s + '\0').join(''));
  // { u64: [...] }: each value as two cells (high, low), e.g. reg with #address-cells = 2.
  const cells: number[] = [];
  for (const x of v.u64) cells.push(Math.floor(x / 0x1_0000_0000), x >>> 0);
  return encodeValue(cells);
}

/** A node under construction. Children and properties keep their insertion order. */
export class FdtBuilderNode implements FdtNode {
  readonly props = new Map<string, Uint8Array>();
  readonly children: FdtBuilderNode[] = [];
  constructor(
    readonly name: string,
    private readonly tree: FdtBuilder,
  ) {}

  prop(name: string, value: FdtValue = new Uint8Array(0)): this {
    this.props.set(name, encodeValue(value));
    return this;
  }

  node(name: string): FdtBuilderNode {
    const n = new FdtBuilderNode(name, this.tree);
    this.children.push(n);
    return n;
  }

  /** Give this node a phandle (2.3.3) and return it, for references from other nodes. */
  phandle(): number {
    const existing = this.props.get('phandle');
    if (existing) return new DataView(existing.buffer, existing.byteOffset).getUint32(0);
    const h = this.tree.nextPhandle++;
    this.prop('phandle', [h]);
    return h;
  }
}

export class FdtBuilder {
  readonly root: FdtBuilderNode;
  readonly reservations: FdtReservation[] = [];
  /** 2.3.3: phandle values are unique, and 0 / 0xffffffff are not valid. */
  nextPhandle = 1;
  /** Header boot_cpuid_phys (5.2). */
  bootCpuidPhys = 0;

  constructor() {
    this.root = new FdtBuilderNode('', this);
  }

  reserve(address: number, size: number): this {
    this.reservations.push({ address, size });
    return this;
  }

  /** Serialize: header, reservation block (8-aligned), structure block (4-aligned), strings. */
  toBytes(): Uint8Array {
    return writeFdt(this.root, this.reservations, this.bootCpuidPhys);
  }
}

function align(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Serialize a tree (any FdtNode) into a version-17 blob. */
export function writeFdt(root: FdtNode, reservations: FdtReservation[] = [], bootCpuidPhys = 0): Uint8Array {
  // Strings block: each property name once (5.5), found by offset.
  const strOff = new Map<string, number>();
  const strParts: Uint8Array[] = [];
  let strLen = 0;
  const nameOffset = (s: string): number => {
    let o = strOff.get(s);
    if (o === undefined) {
      o = strLen;
      strOff.set(s, o);
      const b = enc.encode(s + '\0');
      strParts.push(b);
      strLen += b.length;
    }
    return o;
  };

  // Structure block, built as a list of 4-byte-aligned chunks.
  const words: Uint8Array[] = [];
  let structLen = 0;
  const push = (b: Uint8Array): void => {
    const padded = new Uint8Array(align(b.length, 4));
    padded.set(b);
    words.push(padded);
    structLen += padded.length;
  };
  const u32 = (...xs: number[]): Uint8Array => encodeValue(xs);
  const walk = (n: FdtNode): void => {
    // 5.4.1 FDT_BEGIN_NODE: the unit name, NUL-terminated, padded to 4 bytes.
    push(u32(FDT_BEGIN_NODE));
    push(enc.encode(n.name + '\0'));
    for (const [name, val] of n.props) {
      // FDT_PROP: len, nameoff, then the value padded to 4 bytes.
      push(u32(FDT_PROP, val.length, nameOffset(name)));
      if (val.length > 0) push(val);
    }
    for (const c of n.children) walk(c);
    push(u32(FDT_END_NODE));
  };
  walk(root);
  push(u32(FDT_END));

  const rsvOff = align(HEADER_SIZE, 8);
  // 5.3: the reservation list ends with an all-zero entry.
  const rsvLen = (reservations.length + 1) * 16;
  const structOff = align(rsvOff + rsvLen, 4);
  const stringsOff = structOff + structLen;
  const total = stringsOff + strLen;
  const out = new Uint8Array(align(total, 8));
  const dv = new DataView(out.buffer);
  const hdr = [FDT_MAGIC, out.length, structOff, stringsOff, rsvOff, VERSION, LAST_COMP_VERSION, bootCpuidPhys, strLen, structLen];
  hdr.forEach((v, i) => dv.setUint32(i * 4, v >>> 0));
  reservations.forEach((r, i) => {
    const o = rsvOff + i * 16;
    dv.setUint32(o, Math.floor(r.address / 0x1_0000_0000));
    dv.setUint32(o + 4, r.address >>> 0);
    dv.setUint32(o + 8, Math.floor(r.size / 0x1_0000_0000));
    dv.setUint32(o + 12, r.size >>> 0);
  });
  let p = structOff;
  for (const w of words) {
    out.set(w, p);
    p += w.length;
  }
  for (const s of strParts) {
    out.set(s, p);
    p += s.length;
  }
  return out;
}

/** A parsed blob: header fields, reservations and the tree. */
export interface ParsedFdt {
  header: {
    magic: number;
    totalsize: number;
    offDtStruct: number;
    offDtStrings: number;
    offMemRsvmap: number;
    version: number;
    lastCompVersion: number;
    bootCpuidPhys: number;
    sizeDtStrings: number;
    sizeDtStruct: number;
  };
  reservations: FdtReservation[];
  root: FdtNode;
}

const dec = new TextDecoder();

/** Nodes nested deeper than this are refused (a hostile blob must not exhaust the stack of a recursive walk). */
export const FDT_MAX_DEPTH = 64;

/**
 * Parse a blob (version 16/17). Any input, however malformed (a user's --dtb), gives an Error
 * with a one-line message: every offset and length is checked against the blob (DTSpec 5.2:
 * the blocks lie inside totalsize; 5.4: the structure block is tokens, names NUL-terminated;
 * 5.5: strings are NUL-terminated inside the strings block).
 */
export function readFdt(b: Uint8Array): ParsedFdt {
  if (b.length < HEADER_SIZE) throw new Error(`device tree of ${b.length} bytes is shorter than its header`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const f = (i: number): number => dv.getUint32(i * 4);
  const header = {
    magic: f(0),
    totalsize: f(1),
    offDtStruct: f(2),
    offDtStrings: f(3),
    offMemRsvmap: f(4),
    version: f(5),
    lastCompVersion: f(6),
    bootCpuidPhys: f(7),
    sizeDtStrings: f(8),
    sizeDtStruct: f(9),
  };
  if (header.magic !== FDT_MAGIC) throw new Error(`not a device tree: magic 0x${header.magic.toString(16)}`);
  if (header.totalsize > b.length) throw new Error(`device tree totalsize ${header.totalsize} exceeds its ${b.length} bytes`);
  if (header.totalsize < HEADER_SIZE) throw new Error(`device tree totalsize ${header.totalsize} is smaller than its header`);
  // 5.2: a version-17 reader can read blobs whose last_comp_version is at most 17; size_dt_struct exists from 17 on.
  if (header.version < 17 || header.lastCompVersion > VERSION) {
    throw new Error(`device tree version ${header.version} (last compatible ${header.lastCompVersion}): only version 17 blobs are read`);
  }
  const total = header.totalsize;
  const inside = (off: number, len: number, what: string): void => {
    if (off > total || len > total - off) throw new Error(`device tree: the ${what} (${off}+${len}) lies outside totalsize ${total}`);
  };
  inside(header.offDtStruct, header.sizeDtStruct, 'structure block');
  inside(header.offDtStrings, header.sizeDtStrings, 'strings block');
  if (header.offDtStruct % 4 !== 0 || header.offMemRsvmap % 8 !== 0) throw new Error('device tree: misaligned structure block or reservation map');
  const reservations: FdtReservation[] = [];
  for (let o = header.offMemRsvmap; ; o += 16) {
    inside(o, 16, 'memory reservation map');
    const address = dv.getUint32(o) * 0x1_0000_0000 + dv.getUint32(o + 4);
    const size = dv.getUint32(o + 8) * 0x1_0000_0000 + dv.getUint32(o + 12);
    if (address === 0 && size === 0) break;
    reservations.push({ address, size });
  }
  const strEnd = header.offDtStrings + header.sizeDtStrings;
  const str = (off: number): string => {
    const s = header.offDtStrings + off;
    if (off >= header.sizeDtStrings) throw new Error(`device tree: property name offset ${off} is outside the strings block`);
    const e = b.indexOf(0, s);
    if (e < 0 || e >= strEnd) throw new Error(`device tree: unterminated property name at strings offset ${off}`);
    return dec.decode(b.subarray(s, e));
  };
  let p = header.offDtStruct;
  const end = p + header.sizeDtStruct;
  const stack: FdtNode[] = [];
  let root: FdtNode | null = null;
  let ended = false;
  while (p + 4 <= end) {
    const tok = dv.getUint32(p);
    p += 4;
    if (tok === FDT_BEGIN_NODE) {
      const e = b.indexOf(0, p);
      if (e < 0 || e >= end) throw new Error(`device tree: unterminated node name at offset ${p}`);
      const n: FdtNode = { name: dec.decode(b.subarray(p, e)), props: new Map(), children: [] };
      p = align(e + 1, 4);
      if (stack.length > 0) stack[stack.length - 1].children.push(n);
      else if (root === null) root = n;
      else throw new Error('device tree has two root nodes');
      stack.push(n);
      if (stack.length > FDT_MAX_DEPTH) throw new Error(`device tree: nodes nested deeper than ${FDT_MAX_DEPTH}`);
    } else if (tok === FDT_END_NODE) {
      if (stack.pop() === undefined) throw new Error('device tree: FDT_END_NODE without a node');
    } else if (tok === FDT_PROP) {
      if (p + 8 > end) throw new Error(`device tree: truncated property at offset ${p - 4}`);
      const len = dv.getUint32(p);
      const nameoff = dv.getUint32(p + 4);
      p += 8;
      const top = stack[stack.length - 1];
      if (top === undefined) throw new Error('device tree: property outside a node');
      if (len > end - p) throw new Error(`device tree: property of ${len} bytes at offset ${p - 12} runs past the structure block`);
      top.props.set(str(nameoff), b.slice(p, p + len));
      p = align(p + len, 4);
    } else if (tok === FDT_NOP) {
      continue;
    } else if (tok === FDT_END) {
      ended = true;
      break;
    } else {
      throw new Error(`device tree: unknown token 0x${tok.toString(16)} at offset ${p - 4}`);
    }
  }
  if (root === null || stack.length !== 0) throw new Error('device tree: unbalanced structure block');
  if (!ended) throw new Error('device tree: the structure block has no FDT_END');
  return { header, reservations, root };
}

/** Find a node by path ("/", "/cpus/cpu@0"). */
export function fdtFind(root: FdtNode, path: string): FdtNode | undefined {
  let n: FdtNode | undefined = root;
  for (const part of path.split('/').filter((s) => s !== '')) {
    n = n.children.find((c) => c.name === part);
    if (n === undefined) return undefined;
  }
  return n;
}

/** A property as u32 cells. */
export function propCells(n: FdtNode, name: string): number[] | undefined {
  const v = n.props.get(name);
  if (v === undefined) return undefined;
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= v.length; i += 4) out.push(dv.getUint32(i));
  return out;
}

/** A property as a string list (a single string is a list of one). */
export function propStrings(n: FdtNode, name: string): string[] | undefined {
  const v = n.props.get(name);
  if (v === undefined) return undefined;
  const s = dec.decode(v);
  return s.endsWith('\0') ? s.slice(0, -1).split('\0') : [s];
}
