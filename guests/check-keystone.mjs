// Check that each asm guest assembles with keystone (as our loader does for `.S` files)
// to exactly the bytes GNU as + ld produced: npx tsx guests/check-keystone.mjs NAME.S NAME.bin ...
// `.include` lines are expanded as the loader expands them (keystone has no include directive).
import { Keystone, Const, loadKeystone } from 'keystone-wasm';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expandIncludes } from '../src/loader/asm-include.ts';

await loadKeystone();
const args = process.argv.slice(2);
let bad = 0;
for (let k = 0; k < args.length; k += 2) {
  const [src, bin] = [args[k], args[k + 1]];
  const ks = new Keystone(Const.KS_ARCH_ARM64, Const.KS_MODE_LITTLE_ENDIAN);
  const text = expandIncludes(readFileSync(src, 'utf8'), src, dirname(src), src).lines.join('\n');
  const got = Buffer.from(ks.asm(text, { address: 0x40000000 }));
  const want = readFileSync(bin);
  if (got.equals(want)) {
    console.log(`${src}: ${got.length} bytes, identical to GNU as`);
  } else {
    bad++;
    let i = 0;
    while (i < got.length && i < want.length && got[i] === want[i]) i++;
    console.log(`${src}: keystone ${got.length} bytes, GNU as ${want.length} bytes, first difference at offset 0x${i.toString(16)}`);
  }
}
process.exit(bad ? 1 : 0);
