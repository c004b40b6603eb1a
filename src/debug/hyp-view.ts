// The debugger's view of the hypervisor (`vm`, `mmio`, exit counters in `stats`). Until a
// hypervisor runs the guest, the machine is the only VM: one vCPU, the CPU itself, and no exits
// or trapped accesses to show.
import type { Session } from './session.js';
import { CommandError } from './commands.js';

export interface HypervisorView {
  list(current: number): string;
  select(n: number): string;
  mmio(): string;
  exits(): string;
}

const NONE = 'no hypervisor running';

export function hypervisorView(s: Session): HypervisorView {
  return {
    list: () =>
      `${NONE}: one VM, the machine itself\n* VM 0  vCPU 0  EL${s.cpu.el}  pc 0x${s.cpu.pc.toString(16)}${s.halted ? '  (stopped)' : ''}`,
    select: (n) => {
      if (n !== 0) throw new CommandError(`vm ${n}: ${NONE}, the only VM is 0 (the machine)`);
      return 'looking at VM 0 vCPU 0 (the machine)';
    },
    mmio: () => `${NONE}: no trapped accesses (the guest's device accesses go straight to the device models)`,
    exits: () => `hypervisor exits: none (${NONE})`,
  };
}
