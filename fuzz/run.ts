// npm run fuzz -- [--seed N] [--cases N] [--seconds S] [--area a,b] [--from N]
// Prints cases per area and, for each failure, the command that reruns it. Exit 1 on a failure.
import { runFuzz, AREAS, type Area } from './fuzz.js';

function arg(name: string): string | undefined {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? process.argv[k + 1] : undefined;
}
function num(name: string, def: number): number {
  const v = arg(name);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) {
    process.stderr.write(`fuzz: --${name} ${v}: expected a non-negative integer\n`);
    process.exit(2);
  }
  return n;
}
const areas = (arg('area')?.split(',') ?? [...AREAS]) as Area[];
for (const a of areas) {
  if (!(AREAS as readonly string[]).includes(a)) {
    process.stderr.write(`fuzz: --area ${a}: unknown (known: ${AREAS.join(', ')})\n`);
    process.exit(2);
  }
}
const seed = num('seed', Date.now() % 2 ** 31);
const opts = { seed, cases: num('cases', 1000), seconds: num('seconds', 60), areas, from: num('from', 0) };
process.stdout.write(`fuzz: seed ${seed}, up to ${opts.cases} cases or ${opts.seconds} s per area\n`);
const t0 = Date.now();
const r = await runFuzz({ ...opts, log: (l) => process.stdout.write(l + '\n') });
const total = Object.values(r.cases).reduce((a, b) => a + b, 0);
process.stdout.write(`fuzz: ${total} cases in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${r.failures.length} failures (seed ${seed})\n`);
process.exit(r.failures.length > 0 ? 1 : 0);
