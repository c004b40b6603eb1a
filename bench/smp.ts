// Several PEs (`npx tsx bench/smp.ts [--runs 3] [--insns 2000000]`): (1) host time per executed instruction with
// N = 1, 2, 4, 8 PEs each running the same private loop (the cost of the scheduler and the
// global monitor); (2) TLBI VMALLE1IS (broadcast) against TLBI VMALLE1 (local) as N grows:
// modelled cycles of the issuing PE per TLBI, entries removed on the others, host time.
// In-process, median of --runs runs after one warm-up; host figures depend on the machine.
// --linux instead boots Debian's kernel to /init with 1, 2 and 4 PEs (one run each).
import { Machine } from '../src/machine.js';
import { assemble, CODE_BASE } from '../test/helpers.js';

const args = process.argv.slice(2);
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 3);
// Instructions in all for the host-speed part (--insns N): short runs are dominated by warm-up.
const totalInsns = Number(args.includes('--insns') ? args[args.indexOf('--insns') + 1] : 2_000_000);
if (!Number.isInteger(totalInsns) || totalInsns < 7 * 8) {
  console.error(`bench/smp: --insns ${args[args.indexOf('--insns') + 1]}: a whole number of instructions (at least 56)`);
  process.exit(2);
}

const exit = `
  adr x1, argblk
  mov x0, #0x18
  hlt #0xf000
`;
/** PE 0 starts PEs 1..n-1 at `work` (x0 = PE number), then works too. */
const start = (n: number): string => `
  mov x20, #1
on_loop:
  cmp x20, #${n}
  b.ge pe0_start
  movz x0, #3
  movk x0, #0xc400, lsl #16
  mov x1, x20
  adr x2, pe_work
  mov x3, x20
  hvc #0
  add x20, x20, #1
  b on_loop
pe0_start:
  mov x0, #0
pe_work:
  mov x19, x0
`;
// Each PE: a private loop of loads, stores and arithmetic on its own 256 bytes, then counts
// itself done; PE 0 waits for all and exits.
const compute = (n: number, iters: number): string => `
  ${start(n)}
  adr x0, ttable
  msr ttbr0_el1, x0
  mov x0, #0xff
  msr mair_el1, x0
  movz x0, #0x3519
  movk x0, #0x80, lsl #16
  msr tcr_el1, x0
  isb
  mrs x0, sctlr_el1
  orr x0, x0, #1
  orr x0, x0, #4
  orr x0, x0, #0x1000
  msr sctlr_el1, x0
  isb
  adr x9, pdata
  add x9, x9, x19, lsl #8
  movz x11, #${iters & 0xffff}
  movk x11, #${iters >>> 16}, lsl #16
cloop:
  ldr x12, [x9]
  add x12, x12, x11
  eor x13, x12, x11, lsl #3
  str x13, [x9, #8]
  str x12, [x9]
  subs x11, x11, #1
  b.ne cloop
  adr x16, done
  mov w17, #1
  .long 0xb8f10212
  cbnz x19, park
wait_all:
  ldr w18, [x16]
  cmp w18, #${n}
  b.ne wait_all
  ${exit}
park:
  wfi
  b park
  .balign 8
argblk: .quad 0x20026, 0
done: .quad 0
  .balign 4096
pdata: .fill 2048, 1, 0
  .balign 4096
ttable:
  .quad 0
  .quad 0x40000701
  .fill 510, 8, 0
`;
const shootdown = (n: number, op: string, rounds: number): string => `
  ${start(n)}
  adr x0, ttable
  msr ttbr0_el1, x0
  mov x0, #0xff
  msr mair_el1, x0
  movz x0, #0x3519
  movk x0, #0x80, lsl #16
  msr tcr_el1, x0
  isb
  mrs x0, sctlr_el1
  orr x0, x0, #1
  orr x0, x0, #4
  orr x0, x0, #0x1000
  msr sctlr_el1, x0
  isb
  adr x16, ready
  mov w17, #1
  .long 0xb8f10212
  adr x9, stop
  cbnz x19, load_loop
wait_ready:
  ldr w18, [x16]
  cmp w18, #${n}
  b.ne wait_ready
  mov x11, #${rounds}
shoot:
  tlbi ${op}
  dsb ish
  isb
  ldr x12, [x9]
  subs x11, x11, #1
  b.ne shoot
  mov x12, #1
  str x12, [x9]
  ${exit}
load_loop:
  ldr x12, [x9]
  cbz x12, load_loop
park:
  wfi
  b park
  .balign 8
argblk: .quad 0x20026, 0
ready: .quad 0
stop: .quad 0
  .balign 4096
ttable:
  .quad 0
  .quad 0x40000701
  .fill 510, 8, 0
`;

async function once(src: string, n: number): Promise<{ m: Machine; ms: number; insns: number }> {
  const code = await assemble(src);
  const m = new Machine({ smp: n, ramSize: 1 << 20 });
  m.bus.load(CODE_BASE, code);
  m.noteLoaded(CODE_BASE + code.length);
  m.boot(BigInt(CODE_BASE));
  const t0 = performance.now();
  const r = m.run(200_000_000);
  const ms = performance.now() - t0;
  if (r.reason !== 'exit') throw new Error(`bench guest stopped: ${r.reason} ${r.message ?? ''}`);
  return { m, ms, insns: m.pes.reduce((s, p) => s + p.instret, 0) };
}
async function median(src: string, n: number): Promise<{ m: Machine; ms: number; insns: number }> {
  await once(src, n); // warm-up
  const all = [];
  for (let k = 0; k < runs; k++) all.push(await once(src, n));
  all.sort((a, b) => a.ms - b.ms);
  return all[all.length >> 1];
}

if (args.includes('--linux')) {
  // Debian's kernel to /init and power-off with N = 1, 2, 4 PEs: instructions, host time.
  const { readFileSync } = await import('node:fs');
  const { loadLinux } = await import('../src/loader/linux.js');
  const { virtBoardDtb } = await import('../src/loader/virt-dt.js');
  const { buildInitramfs } = await import('../test/loader/linux-initramfs.js');
  const image = new Uint8Array(readFileSync(new URL('../.cache/linux/Image', import.meta.url)));
  const initrd = await buildInitramfs();
  for (const n of [1, 2, 4]) {
    const m = new Machine({ ramSize: 128 * 1024 * 1024, semihosting: false, smp: n });
    const b = loadLinux(m.bus, image, 'kernel', { initrd, append: 'console=ttyAMA0 panic=-1 cryptomgr.notests quiet' }, (c) =>
      virtBoardDtb({ ramBase: m.bus.ramBase, ramSize: m.bus.ramSize, cpus: n }, c),
    );
    m.noteLoaded(b.end);
    m.boot(BigInt(b.entry));
    m.cpu.writeX(0, BigInt(b.dtb));
    const t0 = performance.now();
    const r = m.run(4_000_000_000);
    const ms = performance.now() - t0;
    const insns = m.pes.reduce((s, p) => s + p.instret, 0);
    console.log(`  linux smp ${n}: ${r.reason}, ${insns} insns (${m.pes.map((p) => p.instret).join(' + ')}), ${ms.toFixed(0)} ms, ${((ms * 1e6) / insns).toFixed(1)} ns/insn`);
  }
  process.exit(0);
}

console.log(`host time per instruction, each PE running the same private loop on its own data page, MMU on (${totalInsns} instructions in all)`);
let base = 0;
for (const n of [1, 2, 4, 8]) {
  const r = await median(compute(n, Math.floor(totalInsns / 7 / n)), n);
  const ns = (r.ms * 1e6) / r.insns;
  if (n === 1) base = ns;
  console.log(`  smp ${n}: ${r.insns} insns, ${r.ms.toFixed(1)} ms, ${ns.toFixed(1)} ns/insn (${((ns / base - 1) * 100).toFixed(1)}% vs 1 PE)`);
}
console.log('TLBI broadcast vs local, 2000 TLBIs by PE 0 while the others load (modelled cycles of PE 0 per TLBI loop iteration)');
for (const n of [1, 2, 4, 8]) {
  for (const op of ['vmalle1', 'vmalle1is']) {
    const r = await median(shootdown(n, op, 2000), n);
    const p0 = r.m.pes[0];
    const recv = r.m.pes.slice(1).reduce((s, p) => s + p.shootdownEntries, 0);
    console.log(
      `  smp ${n} ${op.padEnd(9)}: PE 0 ${p0.cycles} cycles, ${(p0.cycles / 2000).toFixed(1)} per TLBI; entries removed on others ${recv}; host ${r.ms.toFixed(1)} ms`,
    );
  }
}
