// Which decoded instructions access data memory: the static count behind the exact L1 DTLB lookups
// (src/mmu/tlb-exact.ts) and the MEM_ACCESS event (ARM ARM D12.11, event 0x13: counted here per
// instruction, one per data-accessing instruction, an IMPLEMENTATION DEFINED granularity the
// architecture permits). Decided once per instruction when its block is decoded.
import type { Insn } from '../decode.js';

/** Encodings (by their decode-table names) of the load/store classes of the A64 index (C4.1.4). */
const DATA_ENCODINGS = new Set([
  'CAS/CASA/CASL/CASAL',
  'CASP/CASPA/CASPL/CASPAL',
  'LD1-LD4/ST1-ST4 (multiple structures)',
  'LD1-LD4/ST1-ST4 (multiple structures, post-index)',
  'LD1-LD4/ST1-ST4 (single structure), LD1R-LD4R',
  'LD1-LD4/ST1-ST4 (single structure, post-index), LD1R-LD4R',
  'LD<op>/ST<op>/SWP',
  'LDAPR',
  'LDAR',
  'LDNP/STNP (SIMD&FP)',
  'LDNP/STNP',
  'LDP/STP (SIMD&FP, post-index)',
  'LDP/STP (SIMD&FP, pre-index)',
  'LDP/STP (SIMD&FP, signed offset)',
  'LDP/STP (post-index)',
  'LDP/STP (pre-index)',
  'LDP/STP (signed offset)',
  'LDR (literal)',
  'LDR (literal, SIMD&FP)',
  'LDR/STR (SIMD&FP, post-index)',
  'LDR/STR (SIMD&FP, pre-index)',
  'LDR/STR (SIMD&FP, register offset)',
  'LDR/STR (SIMD&FP, unsigned offset)',
  'LDR/STR (immediate, post-index)',
  'LDR/STR (immediate, pre-index)',
  'LDR/STR (immediate, unsigned offset)',
  'LDR/STR (register offset)',
  'LDTR/STTR (unprivileged)',
  'LDUR/STUR (SIMD&FP)',
  'LDUR/STUR (unscaled immediate)',
  'LDXP/LDAXP',
  'LDXR/LDAXR',
  'STLR',
  'STXP/STLXP',
  'STXR/STLXR',
]);

/** Handlers inside those classes (or elsewhere) that make no data access / that make one. */
const NO_ACCESS_EXEC = new Set(['execPrfm', 'execUndefined']);
const ACCESS_EXEC = new Set(['execDcZva']);

/** 1 if the instruction makes a data access (one L1 DTLB lookup), else 0. */
export function dataAccesses(ins: Insn): number {
  const fn = ins.exec.name;
  if (ACCESS_EXEC.has(fn)) return 1;
  if (NO_ACCESS_EXEC.has(fn)) return 0;
  return DATA_ENCODINGS.has(ins.name) ? 1 : 0;
}

/** The decode-table names this module knows (a test checks they all exist in the decoder). */
export const DATA_ENCODING_NAMES: readonly string[] = [...DATA_ENCODINGS];
