// A TLB study from code: the same guest (a loop touching N pages with the MMU on, 4 KiB pages)
// on machines with L1 data TLBs of different sizes; the statistics come back as plain data.
// Once the pages touched outnumber the L1 DTLB entries, every access misses in L1 (round-robin
// replacement and a cyclic sweep) and goes to the L2 TLB.
//   npx tsx examples/tlb-study.ts
import { pathToFileURL } from 'node:url';
import { Machine } from 'a64hv';

interface Row {
  l1dEntries: number;
  pages: number;
  l1dMisses: number;
  l2Hits: number;
  cycles: number;
}

const GUEST = `_start:
  movz x5, #0x4020, lsl #16     // the array: 0x4020_0000, one word per page
  mov x6, #8                    // sweeps
sweep:
  mov x2, #0
page:
  lsl x8, x2, #12
  ldr x3, [x5, x8]
  add x2, x2, #1
  cmp x2, x7                    // x7 = pages
  b.ne page
  subs x6, x6, #1
  b.ne sweep
done:
  nop`;

export async function main(sizes = [16, 32, 64], pages = 48): Promise<Row[]> {
  const rows: Row[] = [];
  for (const entries of sizes) {
    const m = new Machine({ ramSize: 4 << 20, tlb: { l1d: { entries, ways: entries } } });
    const p = await m.assemble(GUEST, 0x4000_0000n);
    m.start(p.entry);
    m.enableMmu({ granule: 4096, mapping: 'pages' });
    m.setReg('x7', BigInt(pages));
    m.run({ until: p.symbols.done });
    const tlb = m.stats().tlb as Record<string, { misses: number; hits: number }>;
    rows.push({ l1dEntries: entries, pages, l1dMisses: tlb.l1d.misses, l2Hits: tlb.l2.hits, cycles: m.stats().cycles });
  }
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await main());
}
