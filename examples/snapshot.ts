// Snapshots: run a guest part way, save the machine, let it finish; then restore the snapshot
// into a fresh machine (or a file, then a fresh machine) and finish again: same output, same
// instruction and cycle counts, same TLB statistics.
//   npx tsx examples/snapshot.ts [guests/build/irq.elf]
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Machine, writeSnapshotFile, readSnapshotFile } from 'a64hv';

export async function main(elfPath = new URL('../guests/build/irq.elf', import.meta.url).pathname): Promise<{ straight: unknown; restored: unknown; bytes: number }> {
  const config = { ramSize: 16 << 20, board: { uartInput: 'hello irq.' } };
  const a = new Machine(config);
  a.start(a.loadElf(new Uint8Array(readFileSync(elfPath))).entry);
  a.enableMmu();
  a.run({ maxInstructions: 2000 }); // part way: timer interrupts already taken
  const snap = a.saveSnapshot();
  const file = join(tmpdir(), `a64hv-example-${process.pid}.snap`);
  writeSnapshotFile(file, snap);

  a.run();
  const figures = (m: Machine): unknown => ({ output: m.output, ...m.stats(), pes: undefined });
  const straight = figures(a);

  const b = Machine.fromSnapshot(readSnapshotFile(file));
  rmSync(file);
  b.run();
  return { straight, restored: figures(b), bytes: snap.length };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await main(process.argv[2]);
  const same = JSON.stringify(r.straight) === JSON.stringify(r.restored);
  console.log(`snapshot: ${r.bytes} bytes; the restored run ${same ? 'matches' : 'DIFFERS from'} the straight one`);
  console.log(r.restored);
}
