// Live differential fuzzing: generate fresh cases with gen.py (unicorn) and replay them at once.
// Usage: npx tsx tools/difftest/live.ts [--cases N] [--seed S] [--class a,b] [--rounds R] [--show K] [--save DIR]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Capstone, Const, loadCapstone } from 'capstone-wasm';
import { writeFileSync } from 'node:fs';
import { parseVectors, Replayer, describeCase, encodeVectors, type VectorCase } from './replay.js';

function arg(name: string, def: string): string {
  const k = process.argv.indexOf(`--${name}`);
  if (k < 0) return def;
  const v = process.argv[k + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
  return v;
}
function intArg(name: string, def: number): number {
  const s = arg(name, String(def));
  if (!/^\d+$/.test(s)) throw new Error(`--${name} must be a non-negative integer, not ${JSON.stringify(s)}`);
  return Number(s);
}

const cases = intArg('cases', 5000);
const seed0 = intArg('seed', 1000);
const rounds = intArg('rounds', 1);
const show = intArg('show', 2);
const cls = arg('class', 'all');
/** --save DIR: write the disagreeing cases of each class to DIR/found-<class>.bin.gz. */
const save = arg('save', '');
const found = new Map<string, { codeBase: number; bufBase: number; bufSize: number; cases: VectorCase[] }>();
const gen = fileURLToPath(new URL('./gen.py', import.meta.url));

await loadCapstone();
const cs = new Capstone(Const.CS_ARCH_ARM64, Const.CS_MODE_ARM);
const disasm = (w: number, addr: number): string => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, w, true);
  try {
    const o = cs.disasm(b, { address: addr });
    return o.length ? `${o[0].mnemonic} ${o[0].opStr}` : '(invalid)';
  } catch {
    return '(capstone cannot decode)';
  }
};

const totals = new Map<string, { cases: number; insns: number; bad: number }>();
for (let round = 0; round < rounds; round++) {
  const seed = seed0 + round;
  const dir = mkdtempSync(join(tmpdir(), 'a64-difftest-'));
  try {
    const r = spawnSync('/usr/bin/python3', [gen, '--class', cls, '--cases', String(cases), '--seed', String(seed), '--out', dir], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (r.status !== 0) {
      // unicorn can abort the whole process on a word it should take as UNDEFINED.
      console.log(`round ${round} (seed ${seed}): gen.py failed (status ${r.status}, signal ${r.signal}); skipping the round`);
      continue;
    }
    for (const f of readdirSync(dir).sort()) {
      const v = parseVectors(readFileSync(join(dir, f)));
      const rep = new Replayer(v.codeBase, v.bufBase, v.bufSize);
      const t = totals.get(v.cls) ?? { cases: 0, insns: 0, bad: 0 };
      let shown = 0;
      for (const c of v.cases) {
        const res = rep.run(c);
        t.cases++;
        t.insns += c.count;
        if (!res.ok) {
          t.bad++;
          const f = found.get(v.cls) ?? { codeBase: v.codeBase, bufBase: v.bufBase, bufSize: v.bufSize, cases: [] };
          f.cases.push(c);
          found.set(v.cls, f);
          if (shown++ < show) console.log(`[${v.cls} seed ${seed}] ` + describeCase(c, res, disasm, v.codeBase));
        }
      }
      totals.set(v.cls, t);
    }
    console.log(`round ${round} (seed ${seed}) done`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (save) {
  for (const [k, f] of found) {
    const path = join(save, `found-${k}.bin.gz`);
    writeFileSync(path, encodeVectors({ cls: `found-${k}`, ...f }));
    console.log(`saved ${f.cases.length} disagreeing ${k} cases to ${path}`);
  }
}
let all = 0;
let allInsns = 0;
let allBad = 0;
for (const [k, t] of totals) {
  console.log(`${k.padEnd(13)} ${String(t.cases).padStart(8)} cases ${String(t.insns).padStart(9)} insns ${t.bad ? `${t.bad} DISAGREE` : 'ok'}`);
  all += t.cases;
  allInsns += t.insns;
  allBad += t.bad;
}
console.log(`total: ${all} cases, ${allInsns} instructions, ${allBad} disagreements`);
process.exitCode = allBad ? 1 : 0;
