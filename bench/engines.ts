// Engines side by side (`npm run bench:engines`): the same guests under the interpreter and the
// translating engine, with the counts that must agree and the wall time of each.
//   npx tsx bench/engines.ts [--only loop|sort-large] [--max-insns N] [--engine interp|jit]
import { fileURLToPath } from 'node:url';
import { Machine } from '../src/machine.js';
import { loadImage } from '../src/loader/index.js';
import { mmuOf } from '../src/mmu/translate.js';
import type { EngineName } from '../src/cpu/jit/engine.js';

const GUESTS = fileURLToPath(new URL('../guests/', import.meta.url));
const args = process.argv.slice(2);
const opt = (k: string): string | undefined => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
const only = opt('--only');
const maxInsns = Number(opt('--max-insns') ?? 2_000_000_000);
const engines: EngineName[] = opt('--engine') !== undefined ? [opt('--engine') as EngineName] : ['interp', 'jit'];

async function runOnce(name: string, engine: EngineName) {
  const m = new Machine({ uartInput: '' });
  m.cpu.engine = engine;
  const img = await loadImage(m, `${GUESTS}build/${name}.elf`);
  m.boot(img.entry);
  const t0 = performance.now();
  m.run(maxInsns);
  const ms = performance.now() - t0;
  const c = m.cpu;
  return { ms, key: `${c.instret} insns, ${c.cycles} cycles, tlb ${JSON.stringify(mmuOf(c).tlb.snapshot()).length}`, insns: c.instret };
}

for (const name of ['loop', 'sort-large']) {
  if (only !== undefined && name !== only) continue;
  for (const e of engines) {
    const r = await runOnce(name, e);
    console.log(`${name.padEnd(11)} ${e.padEnd(6)} ${r.ms.toFixed(0).padStart(7)} ms ${(r.insns / r.ms / 1000).toFixed(1).padStart(6)} MIPS  ${r.key}`);
  }
}
