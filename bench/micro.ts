// Micro-benchmarks of the interpreter's hot paths (benchmark.js): block dispatch of simple ALU
// instructions, the load/store fast path, and decoding. Run: npm run bench:micro
import Benchmark from 'benchmark';
import { Keystone, Const, loadKeystone } from 'keystone-wasm';
import { Machine } from '../src/machine.js';
import { Insn } from '../src/cpu/decode.js';
import { execUndefined } from '../src/cpu/cpu.js';

await loadKeystone();
const ks = new Keystone(Const.KS_ARCH_ARM64, Const.KS_MODE_LITTLE_ENDIAN);
const BASE = 0x4000_0000;

function machineFor(src: string): Machine {
  const m = new Machine();
  m.bus.load(BASE, ks.asm(src, { address: BASE }));
  return m;
}

// A loop that never ends: each benchmark cycle runs a fixed instruction budget.
const alu = machineFor('loop: add x0, x0, #1\nsub x1, x1, #1\nadd x2, x2, #3\nsubs x3, x3, #0\nb.ne loop\nb loop');
const mem = machineFor(
  'ldr x9, =0x40100000\nloop: ldr x0, [x9]\nadd x0, x0, #1\nstr x0, [x9]\nldr w1, [x9, #8]\nstr w1, [x9, #16]\nb loop',
);
const INSNS = 1_000_000;
const words = Array.from(ks.asm('add x0, x1, #4\nldr x0, [x1, #8]\nb.ne .\nsubs x2, x3, #1', { address: BASE }));
const raw = new Int32Array(new Uint8Array(words).buffer);
const scratch = new Insn(execUndefined);

function runBudget(m: Machine): void {
  m.cpu.run(INSNS);
  // A benchmark of a stopped machine measures nothing: fail loudly.
  if (m.cpu.status === 2) throw new Error(`benchmark guest stopped: ${m.cpu.haltReason}`);
}

function start(m: Machine): void {
  m.cpu.reset();
  m.cpu.pc = BigInt(BASE);
}
start(alu);
start(mem);

const suite = new Benchmark.Suite();
suite
  .add(`ALU block dispatch (${INSNS / 1e6}M insns)`, () => runBudget(alu))
  .add(`load/store fast path (${INSNS / 1e6}M insns)`, () => runBudget(mem))
  .add('decode 4 instructions', () => {
    for (let k = 0; k < raw.length; k++) alu.cpu.decoder.decode(raw[k], scratch);
  })
  .on('cycle', (e: Benchmark.Event) => {
    const b = e.target as { name?: string; hz?: number };
    const perSec = b.hz ?? 0;
    const mips = (b.name ?? "").includes('insns') ? `  = ${((perSec * INSNS) / 1e6).toFixed(1)} MIPS` : '';
    console.log(`${String(e.target)}${mips}`);
  })
  .run();
