// Coverage of a vector directory: per class, the mnemonics (capstone) of the generated words.
// Usage: npx tsx tools/difftest/stats.ts [dir]   (default test/vectors)
import { readFileSync, readdirSync } from 'node:fs';
import { Capstone, Const, loadCapstone } from 'capstone-wasm';
import { parseVectors } from './replay.js';

await loadCapstone();
const cs = new Capstone(Const.CS_ARCH_ARM64, Const.CS_MODE_ARM);
const dir = process.argv[2] ?? 'test/vectors';
let total = 0;
let executed = 0;
for (const f of readdirSync(dir).filter((x) => x.endsWith('.bin.gz')).sort()) {
  const v = parseVectors(readFileSync(`${dir}/${f}`));
  const h = new Map<string, number>();
  for (const c of v.cases) {
    executed += c.count;
    for (const w of c.words) {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, w, true);
      let m = '(invalid)';
      try {
        const o = cs.disasm(b, { address: v.codeBase });
        if (o.length) m = o[0].mnemonic;
      } catch {
        m = `(capstone: ${w.toString(16).padStart(8, '0')})`;
      }
      h.set(m, (h.get(m) ?? 0) + 1);
      total++;
    }
  }
  const list = [...h].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}:${n}`);
  console.log(`${v.cls} (${v.cases.length} cases): ${list.join(' ')}`);
}
console.log(`total: ${total} instruction words, ${executed} executed`);
