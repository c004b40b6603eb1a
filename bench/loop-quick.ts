// Quick smoke benchmark of the interpreter loop on a keystone-assembled counting loop.
import { Machine } from '../src/machine.js';
import { Keystone, Const, loadKeystone } from 'keystone-wasm';
await loadKeystone();
const ks = new Keystone(Const.KS_ARCH_ARM64, 0);
const code = ks.asm(
  `  nop
loop:
  add x0, x0, #1
  add x1, x1, #3
  sub x2, x2, #1
  subs x3, x0, #4000, lsl #12
  b.ne loop
  hlt #0`,
  { address: 0x40000000 },
);
const m = new Machine();
m.bus.load(0x40000000, code);
m.cpu.pc = 0x40000000n;
const t0 = performance.now();
const n = m.cpu.run(81920001);
const dt = performance.now() - t0;
console.log(`${n} instructions in ${dt.toFixed(1)} ms: ${(n / dt / 1000).toFixed(1)} MIPS`);
