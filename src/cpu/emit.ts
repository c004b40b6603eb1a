// Translation templates (the JIT's "emit"): JavaScript source equivalent to an instruction's exec
// handler with its decoded fields as constants. Each ISA file registers the template of a handler
// next to the handler itself, so the two are read (and changed) together. A template must do
// exactly what the handler does, status included: `canStop` says it may leave cpu.status !== ST_OK
// (a memory access that can fault or stop the debugger); templates without it never stop.
//
// Names a template may use: `cpu`, `r` (cpu.r), and the helpers the compiler passes in
// (src/cpu/jit/compile.ts HELPERS: `cond(c, cpu)` = ConditionHolds, `brel(cpu, off)`).
import type { ExecFn, Insn } from './decode.js';

export interface Template {
  code: (i: Insn) => string;
  canStop: boolean;
}

export const templates = new Map<ExecFn, Template>();

export function defineEmit(exec: ExecFn, code: (i: Insn) => string, canStop = false): void {
  templates.set(exec, { code, canStop });
}
