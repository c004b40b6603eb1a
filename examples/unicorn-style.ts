// Emulate a snippet and hook its memory accesses, as one would with Unicorn: assemble at an
// address, set registers, hook instructions in a range and every data access, run to the end.
//   npx tsx examples/unicorn-style.ts
import { pathToFileURL } from 'node:url';
import { Machine, type MemAccess } from 'a64hv';

export async function main(): Promise<{ sum: bigint; accesses: MemAccess[]; loopSteps: number; instructions: number }> {
  const m = new Machine({ ramSize: 1 << 20 }); // 1 MiB of RAM at 0x4000_0000
  // Sum four 64-bit words at x1 into x0, storing the running sum after each word at x2.
  const code = await m.assemble(
    `_start:
       mov x0, #0
       mov x3, #4
     loop:
       ldr x4, [x1], #8
       add x0, x0, x4
       str x0, [x2], #8
       subs x3, x3, #1
       b.ne loop
     done:
       nop`,
    0x4000_0000n,
  );
  const data = 0x4000_8000n;
  for (let i = 0; i < 4; i++) m.writeU64(data + BigInt(8 * i), BigInt(10 ** i)); // 1, 10, 100, 1000
  m.start(code.entry);
  m.setReg('x1', data);
  m.setReg('x2', 0x4000_9000n);

  const accesses: MemAccess[] = [];
  m.hookMemory((a) => accesses.push(a)); // every data access (the fast path is off while hooked)
  let loopSteps = 0;
  m.hookCode(() => loopSteps++, { begin: code.symbols.loop, end: code.symbols.done - 1n });

  const r = m.run({ until: code.symbols.done });
  return { sum: m.reg('x0'), accesses, loopSteps, instructions: r.instructions };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await main();
  console.log(`x0 = ${r.sum} after ${r.instructions} instructions (${r.loopSteps} in the loop)`);
  for (const a of r.accesses) console.log(`  ${a.kind.padEnd(5)} 0x${a.address.toString(16)} size ${a.size}${a.value !== undefined ? ` value ${a.value}` : ''}`);
}
