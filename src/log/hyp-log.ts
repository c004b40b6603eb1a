// --log under --hyp: the VMs' exceptions and interrupts (`int`), their stage-1 and stage-2 aborts
// (`mmu`, with the IPA for a stage-2 fault), UNDEFINED instructions (`unimp`), their semihosting
// mistakes (`guest-errors`) and the code they run (`exec`, `in-asm`). Every VM runs on the
// hypervisor's CPU, so the CPU's hooks serve them all (src/log/cpu-log.ts); each line names the VM
// that was on the CPU, as the exit log does ("[vm0]").
import type { Hypervisor } from '../hyp/hypervisor.js';
import type { LogCategory } from './categories.js';
import { Logger } from './logger.js';
import { exceptionLogger, instructionLogger, type TraceHook } from './cpu-log.js';

/** A logger whose lines carry a VM's name after the category: `int: [vm0] sync EL1 -> EL1 ...`. */
export class VmLogger extends Logger {
  constructor(
    base: Logger,
    private readonly vmName: () => string,
  ) {
    super(base.categories, base.ranges, base.sink);
  }
  override line(c: LogCategory, msg: string): void {
    super.line(c, `[${this.vmName()}] ${msg}`);
  }
}

/** The name of the VM on the CPU; 'hyp' between VMs (the hypervisor itself). */
const currentName = (hv: Hypervisor): string => hv.current?.name ?? 'hyp';

/**
 * Install the hooks the categories need on the hypervisor's CPU and its VMs' semihosting. Returns
 * a function that takes them all off again. exec/in-asm set Cpu.tracer (the interpreter runs the
 * VMs while it is set; counts are the same under both engines).
 */
export async function attachHypLogger(hv: Hypervisor, log: Logger): Promise<() => void> {
  const tagged = new VmLogger(log, () => currentName(hv));
  const exc = exceptionLogger(tagged);
  if (exc !== null) hv.cpu.addExcObserver(exc);
  if (log.has('guest-errors')) {
    for (const vm of hv.vms) {
      const own = new VmLogger(log, () => vm.name);
      vm.semihost.onGuestError = (msg) => own.line('guest-errors', msg);
    }
  }
  let trace: TraceHook | null = null;
  if (log.has('exec') || log.has('in-asm')) {
    const { loadDisassembler } = await import('../debug/disasm.js');
    const dis = await loadDisassembler();
    // One logger per VM: each has its own address space, so "first time at this PC" (in-asm) and
    // "not at the previous PC + 4" (exec) are per VM. VM code has no symbol table here.
    const perVm = new Map<unknown, TraceHook | null>();
    trace = (cpu, lo, hi, ins) => {
      const vm = hv.current;
      let h = perVm.get(vm);
      if (h === undefined) {
        h = instructionLogger(tagged, (pc, raw) => dis.insn(pc, raw), () => '');
        perVm.set(vm, h);
      }
      h?.(cpu, lo, hi, ins);
    };
    hv.cpu.tracer = trace;
  }
  return () => {
    if (exc !== null) hv.cpu.removeExcObserver(exc);
    for (const vm of hv.vms) vm.semihost.onGuestError = null;
    if (trace !== null && hv.cpu.tracer === trace) hv.cpu.tracer = null;
  };
}
