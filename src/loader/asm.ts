// Assembly guests (.S/.s), assembled with keystone (keystone-wasm) into one flat image.
// The image is placed at 0x40000000 (the start of RAM on the virt board) unless a comment
// `// a64hv: base=0x40080000` (or with `#`/`;`/`@`) appears in the source. The entry point is the
// label `_start` if the source defines one, else the base.
//
// Keystone reports errors without line numbers, so the failing line is found by assembling
// growing prefixes of the source (a binary search), each followed by definitions of the labels the
// prefix has not reached yet (so forward references resolve) and a NOP sentinel (keystone prints
// some errors, such as an unknown directive, to stderr and returns empty output).
// Label addresses come from a second assembly with `.quad label` appended for every label.
import { Keystone, Const, loadKeystone } from 'keystone-wasm';
import { UserError } from '../errors.js';
import { SymbolTable } from './symbols.js';

export const DEFAULT_ASM_BASE = 0x4000_0000n;

let ks: Keystone | null = null;
/** Messages keystone printed (through the module's printErr) during the current assembly. */
let captured: string[] = [];

async function keystone(): Promise<Keystone> {
  if (ks === null) {
    // If another module loaded keystone first these hooks are ignored; see withCapture.
    await loadKeystone({ printErr: (s: string) => captured.push(s), print: (s: string) => captured.push(s) });
    ks = new Keystone(Const.KS_ARCH_ARM64, Const.KS_MODE_LITTLE_ENDIAN);
  }
  return ks;
}

interface AsmAttempt {
  code: Uint8Array | null;
  error: string;
}

/** One keystone call; never throws. Output on stderr is captured rather than shown. */
function attempt(k: Keystone, src: string, base: bigint): AsmAttempt {
  captured = [];
  const origWrite = process.stderr.write;
  // Keystone's own printErr may be bound to the console if it was loaded without our hooks.
  process.stderr.write = ((chunk: string | Uint8Array): boolean => {
    captured.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = k.asm(src, { address: base });
    if (code.length === 0 && captured.length > 0) return { code: null, error: cleanCaptured() };
    return { code, error: '' };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/memory access out of bounds|RuntimeError|unreachable/i.test(msg) || !(e instanceof Error) || msg.indexOf('Failed to assemble') < 0) {
      // A trap inside keystone: in practice section directives (.text, .data, .bss).
      return { code: null, error: `keystone failed (${msg}); section directives such as .text/.data/.bss are not supported: use one flat section` };
    }
    let why = msg.replace(/^Failed to assemble, error: /, '');
    if (why === 'Unknown error') why = 'invalid instruction or operand out of range (keystone: Unknown error)';
    return { code: null, error: why };
  } finally {
    process.stderr.write = origWrite;
  }
}

function cleanCaptured(): string {
  const first = captured.join('\n').split('\n').find((l) => /error/i.test(l)) ?? captured[0] ?? 'keystone error';
  return first.replace(/^\s*error:\s*/, '').trim();
}

const LABEL_RE = /^\s*([A-Za-z_.$][\w.$]*)\s*:/;

/** Labels defined on each line (a line may hold several: `a: b: nop`). Numeric labels are local. */
function labelsOf(line: string): string[] {
  const out: string[] = [];
  let rest = line;
  for (;;) {
    const m = LABEL_RE.exec(rest);
    if (m === null) break;
    out.push(m[1]);
    rest = rest.slice(m[0].length);
  }
  return out;
}

export function asmBase(src: string): bigint | undefined {
  const m = /(?:\/\/|#|;|@)\s*a64hv:\s*base\s*=\s*(0x[0-9a-fA-F_]+|\d+)/.exec(src);
  if (m === null) return undefined;
  return BigInt(m[1].replace(/_/g, ''));
}

export interface AssembledImage {
  code: Uint8Array;
  base: bigint;
  entry: bigint;
  symbols: SymbolTable;
}

/** Assemble a source text; errors are UserErrors `file:line: message`. */
export async function assembleSource(src: string, file: string, baseOverride?: bigint): Promise<AssembledImage> {
  const k = await keystone();
  const base = baseOverride ?? asmBase(src) ?? DEFAULT_ASM_BASE;
  const lines = src.split(/\r?\n/);
  const labels: string[] = [];
  for (const l of lines) for (const n of labelsOf(l)) if (!labels.includes(n)) labels.push(n);

  const full = attempt(k, src, base);
  if (full.code === null || (full.code.length === 0 && !onlyDirectives(lines))) {
    throw new UserError(locate(k, lines, labels, base, file, full.error || 'keystone produced no output'));
  }
  const code = full.code;

  const symbols = new SymbolTable();
  if (labels.length > 0) {
    // Offsets from an origin label: keystone leaves `.quad sym` as 0 for a .global symbol (an
    // unresolved relocation), but a difference of two labels is a constant. Literal pools go last.
    // A magic quad marks the table (a literal pool may follow it, so it is not simply at the end).
    const quads = labels.map((l) => `.quad ${l} - ${ORIGIN}`).join('\n');
    const probe = attempt(k, `${ORIGIN}:\n${src}\n.balign 8\n.quad ${TABLE_MAGIC}\n${quads}\n`, base);
    if (probe.code !== null) {
      const dv = new DataView(probe.code.buffer, probe.code.byteOffset, probe.code.byteLength);
      let table = -1;
      for (let off = 0; off + 8 <= probe.code.length; off += 8) if (dv.getBigUint64(off, true) === TABLE_MAGIC) table = off + 8;
      if (table >= 0 && table + 8 * labels.length <= probe.code.length) {
        labels.forEach((l, i) => symbols.add(l, base + dv.getBigUint64(table + 8 * i, true)));
      }
    }
  }
  const entry = symbols.lookup('_start') ?? base;
  return { code, base, entry, symbols };
}

const ORIGIN = '__a64hv_origin';
const TABLE_MAGIC = 0xa64a_5c0d_e7ab_1e00n;

/** Lines that are only directives that emit nothing (.global, .equ...) legitimately give 0 bytes. */
function onlyDirectives(lines: string[]): boolean {
  return lines.every((l) => {
    const t = l.replace(/\/\/.*$/, '').replace(/^\s*([A-Za-z_.$][\w.$]*\s*:\s*)+/, '').trim();
    return t === '' || /^\.(global|globl|type|size|equ|set|extern|p2align|balign|align|ident|file|local|weak)\b/.test(t);
  });
}

/** Find the first line whose prefix fails to assemble; returns `file:line: message`. */
function locate(k: Keystone, lines: string[], labels: string[], base: bigint, file: string, fullError: string): string {
  const fails = (n: number): string | null => {
    const prefix = lines.slice(0, n);
    const defined = new Set<string>();
    for (const l of prefix) for (const x of labelsOf(l)) defined.add(x);
    const stubs = labels.filter((l) => !defined.has(l)).map((l) => `${l}:`);
    const r = attempt(k, [...prefix, ...stubs, 'nop', ''].join('\n'), base);
    if (r.code === null) return r.error;
    if (r.code.length === 0) return 'keystone produced no output';
    return null;
  };
  // Binary search for the smallest failing prefix (failure is monotonic in practice).
  let lo = 1;
  let hi = lines.length;
  let err = fails(hi);
  if (err === null) return `${file}: ${fullError}`;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const e = fails(mid);
    if (e !== null) {
      hi = mid;
      err = e;
    } else lo = mid + 1;
  }
  if (lo === lines.length) err = fails(lo) ?? err;
  return `${file}:${lo}: ${err}`;
}
