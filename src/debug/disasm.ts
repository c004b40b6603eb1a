// Disassembly for the debugger and --trace: capstone-wasm (loaded once, lazily), one instruction
// word at a time, with branch targets named from the ELF's symbols.
import type { SymbolTable } from '../loader/symbols.js';

export interface Disassembler {
  /** `mnemonic operands` for the word `raw` at `pc`, or `.long 0x...` when capstone has none. */
  insn(pc: bigint, raw: number): string;
}

let loading: Promise<Disassembler> | null = null;

/** The shared disassembler (capstone's WebAssembly module is loaded on the first call). */
export function loadDisassembler(): Promise<Disassembler> {
  if (loading === null) loading = create();
  return loading;
}

async function create(): Promise<Disassembler> {
  const { Capstone, Const, loadCapstone } = await import('capstone-wasm');
  await loadCapstone();
  const cs = new Capstone(Const.CS_ARCH_ARM64, Const.CS_MODE_ARM);
  const cache = new Map<string, string>();
  const word = new Uint32Array(1);
  const bytes = new Uint8Array(word.buffer);
  return {
    insn(pc: bigint, raw: number): string {
      const key = `${pc}:${raw}`;
      let s = cache.get(key);
      if (s === undefined) {
        word[0] = raw >>> 0;
        let d: { mnemonic: string; opStr: string }[] = [];
        try {
          d = cs.disasm(bytes, { address: pc });
        } catch {
          d = [];
        }
        s = d.length ? `${d[0].mnemonic} ${d[0].opStr}`.trim() : `.long 0x${(raw >>> 0).toString(16).padStart(8, '0')}`;
        if (cache.size > 100_000) cache.clear();
        cache.set(key, s);
      }
      return s;
    },
  };
}

/**
 * Name the target of a direct branch (B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, ADR) after capstone's
 * `#0x...` operand: `bl #0x40001000 <main>`.
 */
export function withSymbol(text: string, symbols: SymbolTable | undefined): string {
  if (symbols === undefined) return text;
  const m = /^(b|bl|b\.\w+|cbn?z|tbn?z|adr)\s.*#(0x[0-9a-f]+)$/.exec(text);
  if (m === null) return text;
  const name = symbols.format(BigInt(m[2]));
  return name === undefined ? text : `${text} <${name}>`;
}
