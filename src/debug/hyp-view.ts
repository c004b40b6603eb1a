// The debugger's view of the hypervisor (`vm`, `mmio`, the exit lines of `stats`). Without a
// hypervisor (plain `repl GUEST`), the machine is the only VM: one vCPU, the CPU itself, and no
// exits or trapped accesses to show. With `repl --hyp`, the VMs of src/hyp: the one on the CPU is
// the one the other commands look at; the others are shown from their saved vCPU context.
import type { Session } from './session.js';
import { CommandError } from './commands.js';
import { formatExit } from '../hyp/cli-hyp.js';
import { SP } from '../cpu/state.js';

export interface HypervisorView {
  list(current: number): string;
  select(n: number): string;
  mmio(): string;
  exits(): string;
}

const NONE = 'no hypervisor running';
const h16 = (v: bigint): string => '0x' + v.toString(16).padStart(16, '0');

export function hypervisorView(s: Session): HypervisorView {
  const hv = s.hv;
  if (hv === null) {
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
  const onCpu = (k: number): boolean => hv.current !== null && hv.current.id === k;
  const pcOf = (k: number): bigint => {
    if (onCpu(k)) return s.cpu.pc;
    const c = hv.vms[k].vcpu;
    return (BigInt(c.pcHi >>> 0) << 32n) | BigInt(c.pcLo >>> 0);
  };
  const state = (k: number): string => {
    const st = hv.vms[k].stop;
    return st === null ? (onCpu(k) ? 'on the CPU' : 'runnable') : `stopped: ${st.kind} ${st.code}${st.message ? ` (${st.message})` : ''}`;
  };
  // vcpus: a VM with several vCPUs lists each (its saved PC unless it is the one on the CPU).
  const vcpuLines = (k: number): string =>
    hv.vms[k].vcpus.length === 1
      ? ''
      : hv.vms[k].vcpus
          .map((c) => {
            const live = hv.currentVcpu === c;
            const pc = live ? s.cpu.pc : (BigInt(c.ctx.pcHi >>> 0) << 32n) | BigInt(c.ctx.pcLo >>> 0);
            return `\n    ${live ? '*' : ' '} vCPU ${c.index}  MPIDR 0x${c.vmpidr.toString(16)}  ${c.on ? 'on' : 'off'}  pc 0x${pc.toString(16)}  ${c.instructions} instructions  exits ${c.exits}`;
          })
          .join('');
  return {
    list: () =>
      hv.vms
        .map((v, k) => `${onCpu(k) ? '*' : ' '} VM ${k} ${v.name}  VMID ${v.vmid}  vCPU ${onCpu(k) ? (hv.currentVcpu?.index ?? 0) : 0}  pc 0x${pcOf(k).toString(16)}  exits ${v.stats.total}  ${state(k)}${vcpuLines(k)}`)
        .join('\n') + '\n(* = on the CPU: the VM the other commands look at)',
    select: (n) => {
      const v = hv.vms[n];
      if (v === undefined) throw new CommandError(`vm ${n}: there are ${hv.vms.length} VMs (0..${hv.vms.length - 1})`);
      if (onCpu(n)) return `VM ${n} (${v.name}) is on the CPU: regs, x, tr, dis look at it; uart feeds it`;
      // Another VM: its saved vCPU context (read-only here; it runs when the hypervisor switches to it).
      const c = v.vcpu;
      const x = (k: number): bigint => (BigInt(c.r[2 * k + 1] >>> 0) << 32n) | BigInt(c.r[2 * k] >>> 0);
      const lines = [`VM ${n} (${v.name}), ${state(n)}; uart feeds it; saved vCPU context (the CPU runs VM ${hv.current?.id ?? '-'}):`];
      for (let k = 0; k < 32; k += 4) {
        lines.push(
          [0, 1, 2, 3]
            .map((i) => k + i)
            .map((r) => `${(r === 31 ? 'sp' : `x${r}`).padStart(3)} ${h16(x(r === 31 ? SP : r))}`)
            .join('   '),
        );
      }
      lines.push(` pc ${h16(pcOf(n))}  spsr 0x${(c.spsr >>> 0).toString(16)}`);
      return lines.join('\n');
    },
    mmio: () => {
      const log = s.mmio;
      if (log.length === 0) return 'no trapped device accesses yet';
      return log.map(({ n, e }) => formatExit(e, n).trimEnd()).join('\n');
    },
    exits: () =>
      [
        `hypervisor: ${hv.vms.length} VM(s), ${hv.switches} world switches`,
        ...hv.vms.map((v) => {
          const top = [...v.stats.byCause.entries()]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 6)
            .map(([c, n]) => `${c} ${n}`)
            .join(', ');
          return `  ${v.name}: exits ${v.stats.total} (${v.stats.cycles} cycles)${top ? `: ${top}` : ''}`;
        }),
      ].join('\n'),
  };
}
