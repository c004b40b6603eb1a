// Block compilation: one JavaScript function per hot decoded block, built with `new Function`.
// Each instruction becomes either its template (src/cpu/emit.ts, decoded fields as constants) or
// a direct call of its exec handler (a monomorphic call V8 can inline), followed by the same
// status check the interpreter makes after it. The function returns the index of the instruction
// that stopped the block (status !== ST_OK) or the block length: exactly what the interpreter's
// inner loop computes, so the run loop's bookkeeping is shared unchanged.
import type { Block } from '../blocks.js';
import type { Cpu } from '../cpu.js';
import type { Insn } from '../decode.js';
import { templates } from '../emit.js';
import { branchRel } from '../isa/branch.js';
import { conditionHolds } from '../isa/common.js';

export type BlockCode = (cpu: Cpu) => number;

/** Helpers templates may call by name. */
const HELPER_NAMES = ['cond', 'brel'];
const HELPERS = [(c: number, cpu: Cpu): boolean => conditionHolds(c, cpu.n, cpu.z, cpu.c, cpu.v), branchRel];

/** JavaScript source of a block's function body (exported for tests and for reading). */
export function blockSource(insns: readonly Insn[]): string {
  const n = insns.length;
  let src = 'const r = cpu.r;\n';
  for (let k = 0; k < n; k++) {
    const ins = insns[k];
    const t = templates.get(ins.exec);
    if (t !== undefined) {
      src += `{ ${t.code(ins)} }\n`;
      if (t.canStop) src += `if (cpu.status !== 0) return ${k};\n`;
    } else {
      src += `h${k}(cpu, i${k});\nif (cpu.status !== 0) return ${k};\n`;
    }
  }
  return src + `return ${n};\n`;
}

/** Compile a block: the factory binds handlers h<k> and instructions i<k> as closure constants. */
export function compileBlock(b: Block): BlockCode {
  const insns = b.insns;
  const names: string[] = [...HELPER_NAMES];
  const values: unknown[] = [...HELPERS];
  for (let k = 0; k < insns.length; k++) {
    names.push(`h${k}`, `i${k}`);
    values.push(insns[k].exec, insns[k]);
  }
  const body = blockSource(insns);
  const factory = new Function(...names, `return function block_${b.pa.toString(16)}(cpu) {\n${body}};`) as (...a: unknown[]) => BlockCode;
  return factory(...values);
}
