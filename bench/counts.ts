// Exactness check (not a benchmark): run guests (and optionally the Linux boot) and print a digest
// of everything the engines must agree on: instructions, cycles, interrupts, TLB statistics,
// registers, output. `npx tsx bench/counts.ts [--linux] [--only NAME]`; A64HV_ENGINE selects the engine.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Machine } from '../src/machine.js';
import { loadImage } from '../src/loader/index.js';
import { loadLinux } from '../src/loader/linux.js';
import { virtBoardDtb } from '../src/loader/virt-dt.js';
import { mmuOf } from '../src/mmu/translate.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const GUESTS = ['hello', 'intops', 'loop-short', 'sort', 'mmu', 'exceptions', 'irq', 'irq-el0', 'el0-svc', 'float', 'vecfp', 'printf'];

export function digest(m: Machine): string {
  const cpu = m.cpu;
  const h = createHash('sha256');
  h.update(JSON.stringify(mmuOf(cpu).tlb.snapshot()));
  h.update(new Uint8Array(cpu.r.buffer));
  h.update(new Uint8Array(cpu.vr.buffer));
  h.update(m.output);
  return `insns=${cpu.instret} cycles=${cpu.cycles} irqs=${cpu.interruptsTaken} pc=${cpu.pc.toString(16)} state=${h.digest('hex').slice(0, 16)}`;
}

for (const g of GUESTS) {
  if (only !== undefined && g !== only) continue;
  const m = new Machine({ uartInput: '' });
  const img = await loadImage(m, `${ROOT}guests/build/${g}.elf`);
  m.boot(img.entry);
  const t0 = performance.now();
  m.run(2_000_000_000);
  console.log(`${g.padEnd(12)} ${digest(m)} ${(performance.now() - t0).toFixed(0)}ms`);
}
if (args.includes('--linux')) {
  const kernel = `${ROOT}.cache/linux/Image`;
  if (!existsSync(kernel)) throw new Error('no kernel');
  const { buildInitramfs } = await import('../test/loader/linux-initramfs.js');
  const m = new Machine({ ramSize: 128 * 1024 * 1024, semihosting: false });
  const initrd = await buildInitramfs();
  const append = args.includes('--full') ? 'console=ttyAMA0 panic=-1' : 'console=ttyAMA0 panic=-1 cryptomgr.notests';
  const b = loadLinux(m.bus, new Uint8Array(readFileSync(kernel)), 'kernel', { initrd, append }, (c) => virtBoardDtb({ ramBase: m.bus.ramBase, ramSize: m.bus.ramSize }, c));
  m.noteLoaded(b.end);
  m.boot(BigInt(b.entry));
  m.cpu.writeX(0, BigInt(b.dtb));
  const t0 = performance.now();
  const r = m.run(2_000_000_000);
  console.log(`linux        ${digest(m)} ${r.reason} ${(performance.now() - t0).toFixed(0)}ms`);
}
