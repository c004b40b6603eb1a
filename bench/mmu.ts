// MMU benchmark (`npm run bench:mmu`): the same guests with the MMU off, with a stage-1 identity
// map (4 KiB pages), and with stage 1 nested in a stage-2 identity map (4 KiB pages, VMID 1), as
// a hypervisor would set it up. Reports MIPS, the slowdown against MMU off, and TLB figures.
//   npx tsx bench/mmu.ts [--max-insns N]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { Machine, VIRT } from '../src/machine.js';
import { loadImage } from '../src/loader/index.js';
import { SYS } from '../src/cpu/sysregs.js';
import { TableBuilder, s1Leaf, s2Leaf, tg0, tg1 } from '../src/mmu/builder.js';
import { mmuOf } from '../src/mmu/translate.js';
import { tableStyle } from './table-style.js';

const GUESTS = fileURLToPath(new URL('../guests/', import.meta.url));
const args = process.argv.slice(2);
const maxLoop = args.includes('--max-insns') ? Number(args[args.indexOf('--max-insns') + 1]) : 200_000_000;

type Mode = 'off' | 's1' | 's1+s2';
const RAM_SIZE = 128 * 1024 * 1024;
/** Tables live in the top 8 MiB of RAM, above anything the guests use. */
const S1_POOL = VIRT.RAM + RAM_SIZE - 0x80_0000;
const S2_POOL = VIRT.RAM + RAM_SIZE - 0x40_0000;

function enableMmu(m: Machine, mode: Mode): void {
  if (mode === 'off') return;
  const cpu = m.cpu;
  // Stage 1: identity map of RAM (Normal WB, MAIR Attr0) and the UART (Device-nGnRnE, Attr1).
  const s1 = new TableBuilder(m.bus, { inputSize: 48, poolBase: S1_POOL });
  s1.map(VIRT.RAM, VIRT.RAM, RAM_SIZE, s1Leaf({ attrIndx: 0 }), 3);
  s1.map(VIRT.UART0, VIRT.UART0, 0x1000, s1Leaf({ attrIndx: 1, pxn: true, uxn: true }), 3);
  cpu.setSys(SYS.MAIR_EL1, 0x04ff, 0);
  // TCR_EL1: T0SZ=16, TG0=4K, T1SZ=16, TG1=4K, IPS=44 bits, AS=16-bit ASIDs, EPD1 (no TTBR1).
  cpu.setSys(SYS.TCR_EL1, (16 | (tg0(4096) << 14) | (16 << 16) | (1 << 23) | (tg1(4096) << 30)) | 0, 4 | (1 << 4));
  cpu.setSys(SYS.TTBR0_EL1, s1.root, 0);
  cpu.setSys(SYS.SCTLR_EL1, 0x30d00800 | 1 | (1 << 2) | (1 << 12), 0); // M, C, I
  if (mode === 's1+s2') {
    const s2 = new TableBuilder(m.bus, { inputSize: 40, poolBase: S2_POOL });
    s2.map(VIRT.RAM, VIRT.RAM, RAM_SIZE, s2Leaf({ memAttr: 0xf }), 3);
    s2.map(VIRT.UART0, VIRT.UART0, 0x1000, s2Leaf({ memAttr: 0x0, xn: true }), 3);
    cpu.setSys(SYS.VTCR_EL2, s2.vtcr(), 0);
    const [lo, hi] = s2.vttbr(1);
    cpu.setSys(SYS.VTTBR_EL2, lo, hi);
    cpu.setSys(SYS.HCR_EL2, 1, 0); // VM
  }
  cpu.contextChanged();
}

async function runOnce(name: string, mode: Mode, maxInsns: number) {
  const m = new Machine({ uartInput: '', ramSize: RAM_SIZE });
  const img = await loadImage(m, `${GUESTS}build/${name}.elf`);
  m.boot(img.entry);
  enableMmu(m, mode);
  const t0 = performance.now();
  const r = m.run(maxInsns);
  const ms = performance.now() - t0;
  const finished = r.reason === 'exit' || r.reason === 'halt';
  const want = readFileSync(`${GUESTS}expected/${name}.txt`, 'latin1');
  // A run cut short by the budget is checked for a correct prefix of QEMU's output.
  const ok = finished ? m.output === want : r.reason === 'limit' && want.startsWith(m.output);
  const tlb = mmuOf(m.cpu).tlb;
  return { insns: r.instructions, ms, ok, reason: r.reason, tlb, cycles: m.cpu.cycles };
}

const table = new Table({
  head: ['guest', 'MMU', 'instructions', 'MIPS', 'vs off', 'L1D miss', 'L2 miss', 's1 walks', 'desc reads', 'cycles', 'CPI', 'ok'],
  colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'center'],
  style: tableStyle(),
});
let allOk = true;
for (const [name, warm, budget] of [
  ['loop', 'loop-short', maxLoop],
  ['sort-large', 'sort', 2_000_000_000],
] as const) {
  let base = 0;
  for (const mode of ['off', 's1', 's1+s2'] as Mode[]) {
    await runOnce(warm, mode, 50_000_000);
    const r = await runOnce(name, mode, budget);
    const mips = r.insns / r.ms / 1000;
    if (mode === 'off') base = mips;
    allOk &&= r.ok;
    const s = r.tlb.snapshot() as {
      l1d: { misses: number };
      l2: { misses: number };
      walks: { s1Walks: number; s1Reads?: number; s2Reads?: number; descReads?: number };
    };
    const w = s.walks as Record<string, number>;
    // Descriptor reads of stage-1 walks plus those of stage-2 walks (nested or not).
    const reads = (w.s1DescReads ?? 0) + (w.s2DescReads ?? 0);
    table.push([
      name,
      mode,
      r.insns.toLocaleString('en-US'),
      mips.toFixed(1),
      mode === 'off' ? '1.00x' : `${(base / mips).toFixed(2)}x`,
      s.l1d.misses.toLocaleString('en-US'),
      s.l2.misses.toLocaleString('en-US'),
      (w.s1Walks ?? 0).toLocaleString('en-US'),
      reads.toLocaleString('en-US'),
      r.cycles.toLocaleString('en-US'),
      (r.cycles / r.insns).toFixed(3),
      r.ok ? 'yes' : `NO (${r.reason})`,
    ]);
  }
}
console.log(table.toString());
console.log('"vs off" is the slowdown in MIPS against the same guest with the MMU off.');
if (!allOk) process.exitCode = 1;
