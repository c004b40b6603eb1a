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
// Keystone runs in a worker with a time limit (keystone-worker.ts): an input it loops on becomes
// `file:line: the assembler did not finish`, and the worker is replaced after a hang or a trap.
import { UserError } from '../errors.js';
import { SymbolTable } from './symbols.js';
import { KeystoneWorker } from './keystone-worker.js';
import { expandIncludes, hasInclude, type LineOrigin } from './asm-include.js';

export const DEFAULT_ASM_BASE = 0x4000_0000n;

const ks = new KeystoneWorker();

/**
 * Milliseconds one keystone call may take, plus 1 ms per 10 bytes of source: generous (a valid
 * 20,000-line file, 300 KB, takes about a second and gets 35 s), since only a real hang should
 * reach it, and short for a small file, where the user waits for the verdict. Tests lower it.
 */
let timeLimitMs = 5_000;
const limitFor = (src: string): number => timeLimitMs + Math.ceil(src.length / 10);
export function setAssemblerTimeLimit(ms: number): void {
  timeLimitMs = ms;
}
/** Workers started so far (a hang or a trap replaces the worker). */
export function assemblerWorkersStarted(): number {
  return ks.started;
}

interface AsmAttempt {
  code: Uint8Array | null;
  error: string;
  /** keystone did not finish in time. */
  hung?: boolean;
}

const DID_NOT_FINISH = 'the assembler did not finish (keystone loops on this input: an unterminated string, a stray `,` `:` or `\\`?)';

/** One keystone call; never throws. Output keystone prints is captured rather than shown. */
async function attempt(src: string, base: bigint, limit = limitFor(src)): Promise<AsmAttempt> {
  const r = await ks.asm(src, base, limit);
  switch (r.kind) {
    case 'timeout':
      return { code: null, error: DID_NOT_FINISH, hung: true };
    case 'trap':
      // In practice section directives (.text, .data, .bss) make keystone trap.
      return { code: null, error: `keystone failed (${r.error}); section directives such as .text/.data/.bss are not supported: use one flat section` };
    case 'error': {
      let why = r.error;
      if (why === 'Unknown error') why = 'invalid instruction or operand out of range (keystone: Unknown error)';
      return { code: null, error: why };
    }
    case 'ok':
      if (r.code.length === 0 && r.captured.length > 0) return { code: null, error: cleanCaptured(r.captured) };
      return { code: r.code, error: '' };
  }
}

function cleanCaptured(captured: string[]): string {
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

/** Where `.include` paths of a source are resolved (see asm-include.ts). */
export interface AsmSourceOptions {
  /** The folder includes are relative to: the source file's own; the working directory if absent. */
  includeDir?: string;
  /** The source file's path, when it is a file (an include of itself is then an error). */
  path?: string;
}

/** Assemble a source text; errors are UserErrors `file:line: message` (the included file's, inside one). */
export async function assembleSource(src: string, file: string, baseOverride?: bigint, opts: AsmSourceOptions = {}): Promise<AssembledImage> {
  let origins: LineOrigin[] | null = null;
  if (hasInclude(src)) {
    const x = expandIncludes(src, file, opts.includeDir ?? process.cwd(), opts.path ?? null);
    src = x.lines.join('\n');
    origins = x.origins;
  }
  const base = baseOverride ?? asmBase(src) ?? DEFAULT_ASM_BASE;
  const lines = src.split(/\r?\n/);
  const seen = new Set<string>();
  for (const l of lines) for (const n of labelsOf(l)) seen.add(n);
  const labels = [...seen];

  const full = await attempt(src, base);
  if (full.code === null || (full.code.length === 0 && !onlyDirectives(lines))) {
    throw new UserError(await locate(lines, labels, base, file, full.error || 'keystone produced no output', full.hung === true, origins));
  }
  const code = full.code;

  const symbols = new SymbolTable();
  if (labels.length > 0) {
    // Offsets from an origin label: keystone leaves `.quad sym` as 0 for a .global symbol (an
    // unresolved relocation), but a difference of two labels is a constant. Literal pools go last.
    // A magic quad marks the table (a literal pool may follow it, so it is not simply at the end).
    const quads = labels.map((l) => `.quad ${l} - ${ORIGIN}`).join('\n');
    const probe = await attempt(`${ORIGIN}:\n${src}\n.balign 8\n.quad ${TABLE_MAGIC}\n${quads}\n`, base);
    // The label pass assembles what the first pass did, plus a table: it cannot fail unless
    // keystone does, and then the symbols (and _start) would be silently missing.
    if (probe.code === null) throw new UserError(`${file}: the label pass failed (${probe.error})`);
    {
      const dv = new DataView(probe.code.buffer, probe.code.byteOffset, probe.code.byteLength);
      let table = -1;
      for (let off = 0; off + 8 <= probe.code.length; off += 8) if (dv.getBigUint64(off, true) === TABLE_MAGIC) table = off + 8;
      if (table < 0 || table + 8 * labels.length > probe.code.length) throw new UserError(`${file}: the label pass found no label table (${labels.length} labels)`);
      labels.forEach((l, i) => symbols.add(l, base + dv.getBigUint64(table + 8 * i, true)));
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

/**
 * Find the first line whose prefix fails to assemble; returns `file:line: message`. After a hang,
 * each prefix gets a quarter of the limit (valid prefixes take milliseconds), so finding the line
 * costs a few limits, not one per step.
 */
async function locate(lines: string[], labels: string[], base: bigint, file: string, fullError: string, hung: boolean, origins: LineOrigin[] | null): Promise<string> {
  const quarter = (src: string): number => Math.max(1000, limitFor(src) / 4);
  const fails = async (n: number): Promise<string | null> => {
    const prefix = lines.slice(0, n);
    const defined = new Set<string>();
    for (const l of prefix) for (const x of labelsOf(l)) defined.add(x);
    const stubs = labels.filter((l) => !defined.has(l)).map((l) => `${l}:`);
    const text = [...prefix, ...stubs, 'nop', ''].join('\n');
    const r = await attempt(text, base, hung ? quarter(text) : limitFor(text));
    if (r.code === null) return r.error;
    if (r.code.length === 0) return 'keystone produced no output';
    return null;
  };
  // Binary search for the smallest failing prefix (failure is monotonic in practice).
  let lo = 1;
  let hi = lines.length;
  let err = await fails(hi);
  if (err === null) return `${file}: ${fullError}`;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const e = await fails(mid);
    if (e !== null) {
      hi = mid;
      err = e;
    } else lo = mid + 1;
  }
  if (lo === lines.length) err = (await fails(lo)) ?? err;
  const at = origins?.[lo - 1];
  return at === undefined ? `${file}:${lo}: ${err}` : `${at.file}:${at.line}: ${err}`;
}
