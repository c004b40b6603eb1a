// `--log CATEGORIES`: what to log, with QEMU's -d names where QEMU has the category
// (int, mmu, guest_errors, exec, in_asm, unimp; '-' and '_' are the same here) and a64hv's own
// (exits: the hypervisor's exits).
import { UserError } from '../errors.js';

export const LOG_CATEGORIES = {
  int: 'exceptions and interrupts taken: kind, EL from -> to, ESR EC/ISS, return PC',
  mmu: 'instruction and data aborts: fault status decoded (kind, level, stage-1 walk, read/write), FAR',
  exits: 'with --hyp: every exit to the hypervisor (decoded ESR_EL2 syndrome, IPA, device register), as --hyp-trace (the other categories under --hyp name the VM: "int: [vm0] ...")',
  'guest-errors': 'the guest misusing an interface: a semihosting call whose parameter block it cannot read, an unknown semihosting operation',
  exec: 'each block executed: its first PC and symbol (runs the interpreter)',
  'in-asm': 'each instruction the first time it executes: PC and disassembly (runs the interpreter)',
  unimp: 'UNDEFINED instructions (EC 0x0, "unknown reason"): what this CPU model does not implement or the guest got wrong',
} as const;

export type LogCategory = keyof typeof LOG_CATEGORIES;

/** The categories in `--log` order of the table (for help and tests). */
export const LOG_CATEGORY_NAMES = Object.keys(LOG_CATEGORIES) as LogCategory[];

/** `--log help`: one line per category. */
export function logHelp(): string {
  return 'Log categories (--log a,b,c; "all" for every one):\n' + LOG_CATEGORY_NAMES.map((c) => `  ${c.padEnd(13)} ${LOG_CATEGORIES[c]}`).join('\n') + '\n';
}

/** Parse `int,mmu,guest_errors` (QEMU's spelling accepted); unknown names are a one-line error. */
export function parseLogCategories(spec: string): Set<LogCategory> {
  const out = new Set<LogCategory>();
  for (const raw of spec.split(',')) {
    const name = raw.trim().toLowerCase().replace(/_/g, '-');
    if (name === '') continue;
    if (name === 'all') {
      for (const c of LOG_CATEGORY_NAMES) out.add(c);
      continue;
    }
    if (!Object.hasOwn(LOG_CATEGORIES, name)) {
      throw new UserError(`--log ${spec}: unknown category '${raw.trim()}' (known: ${LOG_CATEGORY_NAMES.join(', ')}, all; --log help)`);
    }
    out.add(name as LogCategory);
  }
  if (out.size === 0) throw new UserError(`--log '${spec}': no category given (known: ${LOG_CATEGORY_NAMES.join(', ')}, all)`);
  return out;
}
