// Guest benchmark (`npm run bench`): run whole guests through the machine API and report
// instructions, wall time and MIPS per guest. Each guest is preceded by one warm-up run of
// its small sibling (same code, fewer iterations) so V8 has optimised the interpreter first.
// The output is checked against QEMU's (guests/expected/) so a fast wrong answer shows.
//   npx tsx bench/guests.ts [--only NAME] [--max-insns N]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { Machine } from '../src/machine.js';
import { loadImage } from '../src/loader/index.js';
import { tableStyle } from './table-style.js';

const GUESTS = fileURLToPath(new URL('../guests/', import.meta.url));

interface Bench {
  name: string;
  warmup: string;
  what: string;
}

const BENCHES: Bench[] = [
  { name: 'loop', warmup: 'loop-short', what: 'asm integer loop, 100M iterations x 9 insns' },
  { name: 'sort-large', warmup: 'sort', what: 'C (picolibc): sort 100k u32, qsort, checksums' },
];

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const maxInsns = args.includes('--max-insns') ? Number(args[args.indexOf('--max-insns') + 1]) : 2_000_000_000;

/** Instructions retired, from the run result (or the CPU's counter if the result lacks one). */
function retired(r: object, m: Machine): number {
  for (const key of ['insns', 'instructions', 'retired']) {
    const v = (r as Record<string, unknown>)[key];
    if (typeof v === 'number' || typeof v === 'bigint') return Number(v);
  }
  const c = (m.cpu as unknown as Record<string, unknown>)['insnCount'];
  return typeof c === 'number' || typeof c === 'bigint' ? Number(c) : NaN;
}

async function runOnce(name: string) {
  const m = new Machine({ uartInput: '' });
  const img = await loadImage(m, `${GUESTS}build/${name}.elf`);
  m.boot(img.entry);
  const t0 = performance.now();
  const r = m.run(maxInsns);
  const ms = performance.now() - t0;
  const want = readFileSync(`${GUESTS}expected/${name}.txt`, 'latin1');
  const wantExit = Number(readFileSync(`${GUESTS}expected/${name}.exit`, 'utf8').trim());
  const ok = m.output === want && (r.reason === 'exit' || r.reason === 'halt') && (r.exitCode ?? 0) === wantExit;
  return { insns: retired(r, m), ms, ok, reason: r.reason };
}

const table = new Table({
  head: ['guest', 'instructions', 'time (ms)', 'MIPS', 'matches QEMU', 'workload'],
  colAligns: ['left', 'right', 'right', 'right', 'center', 'left'],
  style: tableStyle(),
});
let allOk = true;
for (const b of BENCHES) {
  if (only !== undefined && b.name !== only) continue;
  await runOnce(b.warmup);
  const r = await runOnce(b.name);
  allOk &&= r.ok;
  table.push([
    b.name,
    Number.isNaN(r.insns) ? '?' : r.insns.toLocaleString('en-US'),
    r.ms.toFixed(0),
    Number.isNaN(r.insns) ? '?' : (r.insns / r.ms / 1000).toFixed(1),
    r.ok ? 'yes' : `NO (${r.reason})`,
    b.what,
  ]);
}
console.log(table.toString());
if (!allOk) process.exitCode = 1;
