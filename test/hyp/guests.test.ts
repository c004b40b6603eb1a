// The foundation's guests, unmodified, each inside a VM: the PL011 is now emulated by trap (every
// UART access a stage-2 data abort), semihosting is offered by the hypervisor. Output and exit
// status must be exactly what QEMU printed for the same ELF on bare metal (guests/expected/).
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { Hypervisor } from '../../src/hyp/hypervisor.js';
import { loadIntoVm } from '../../src/hyp/load.js';
import type { RamPolicy } from '../../src/hyp/vm.js';

const G = new URL('../../guests/', import.meta.url).pathname;

async function runGuest(name: string, file: string, ram: RamPolicy) {
  const input = existsSync(`${G}expected/${name}.in`) ? readFileSync(`${G}expected/${name}.in`, 'utf8') : undefined;
  const hv = new Hypervisor({ vms: [{ ramSize: 128 << 20, ram, uartInput: input }] });
  const vm = hv.vms[0];
  hv.boot(vm, await loadIntoVm(vm, G + file));
  const r = hv.run(50_000_000);
  expect(r.reason).toBe('done');
  const code = vm.stop!.kind === 'exit' ? vm.stop!.code & 0xff : vm.stop!.kind === 'halt' ? 0 : -1;
  return { vm, hv, code };
}

const cases: [string, string, RamPolicy][] = [
  ['hello', 'build/hello.elf', 'eager'],
  ['hello', 'asm/hello.S', 'lazy'],
  ['echo', 'build/echo.elf', 'eager'],
  ['el0-svc', 'build/el0-svc.elf', 'eager'],
  ['exceptions', 'build/exceptions.elf', 'eager'],
  ['mmu', 'build/mmu.elf', 'lazy'],
  ['loop-short', 'build/loop-short.elf', 'eager'],
  ['printf', 'build/printf.elf', 'eager'],
  ['sort', 'build/sort.elf', 'lazy'],
  ['float', 'build/float.elf', 'eager'],
  ['intops', 'build/intops.elf', 'eager'],
  ['hyp-echo', 'build/hyp-echo.elf', 'eager'],
  ['hyp-echo', 'asm/hyp-echo.S', 'lazy'],
  // Interrupts: GICD trapped and emulated, GICC is the GICV frame mapped by stage 2, the timer
  // PPIs are hardware-mapped list registers, the PL011's RX interrupt a software one.
  ['irq', 'build/irq.elf', 'eager'],
  ['irq-el0', 'build/irq-el0.elf', 'lazy'], // the next tick arrives while the guest still holds the previous one active
];

describe('foundation guests inside a VM (output identical to QEMU bare metal)', () => {
  for (const [name, file, ram] of cases) {
    it(`${file} (${ram} RAM)`, async () => {
      const { vm, code } = await runGuest(name, file, ram);
      expect(vm.output).toBe(readFileSync(`${G}expected/${name}.txt`, 'utf8'));
      expect(code).toBe(Number(readFileSync(`${G}expected/${name}.exit`, 'utf8').trim()));
    }, 60_000);
  }
  it('hello: every UART access is an exit (65 characters: one FR poll and one DR write each)', async () => {
    const { vm } = await runGuest('hello', 'build/hello.elf', 'eager');
    expect(vm.stats.toJSON().byCause).toEqual({ 'mmio-read pl011 UARTFR': 65, 'mmio-write pl011 UARTDR': 65, 'hvc psci': 1 });
  });
  it('hyp-echo: the LDP of the UART ID registers is the one ISV=0 exit; input read through trapped DR reads', async () => {
    const { vm } = await runGuest('hyp-echo', 'build/hyp-echo.elf', 'eager');
    expect(vm.stats.get('isv0-emulated pl011')).toBe(1);
    expect(vm.stats.get('mmio-read pl011 UARTDR')).toBe(31); // "bye after 31 bytes"
  });
});

describe('hyp-isolation.S: reading what is not the VM\'s own', () => {
  it('each access outside the VM is an external abort at EL1 (ESR_EL1 0x96000010: EC 0x25, IL, FSC 0x10), in both VMs', async () => {
    const hv = new Hypervisor({ vms: [{ name: 'vm0' }, { name: 'vm1' }] });
    for (const vm of hv.vms) hv.boot(vm, await loadIntoVm(vm, `${G}asm/hyp-isolation.S`));
    hv.run(1_000_000);
    const abort = (a: string): string => `read ${a}: synchronous external abort, ESR_EL1 0x96000010 FAR_EL1 ${a}\n`;
    const common = `read 0x47fffff8: ok\n${abort('0x48000000')}${abort('0x49000000')}${abort('0x08030000')}`;
    expect(hv.vms[0].output).toBe(`${common}read 0x09010000: ok\n`); // the RTC is assigned to VM 0
    expect(hv.vms[1].output).toBe(`${common}${abort('0x09010000')}`);
    expect(hv.vms.map((v) => v.stats.get('isolation-abort'))).toEqual([3, 4]);
  });
});
