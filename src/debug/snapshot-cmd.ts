// The REPL's `savevm FILE` / `loadvm FILE` (QEMU's names): the whole machine to a snapshot file
// and back (src/api/snapshot.ts). Under --hyp the hypervisor's own state (VMs, their vCPUs and
// stage-2 tables' bookkeeping) is not covered yet, so both commands refuse there.
import type { Session } from './session.js';
import { saveMachineState, restoreMachineState, writeSnapshotFile, readSnapshotFile } from '../api/snapshot.js';
import { ApiError } from '../api/errors.js';

export function vmSnapshot(s: Session, cmd: 'savevm' | 'loadvm', args: string[]): string {
  if (args.length !== 1) throw new ApiError(`${cmd}: expected one FILE argument`);
  if (s.hv !== null) throw new ApiError(`${cmd}: not available under --hyp (snapshots cover the bare machine only)`);
  const file = args[0];
  if (cmd === 'savevm') {
    const snap = saveMachineState(s.m);
    writeSnapshotFile(file, snap);
    return `saved the machine to ${file} (${snap.length} bytes, at ${s.cpu.instret} instructions)`;
  }
  restoreMachineState(s.m, readSnapshotFile(file));
  // The stop state comes from the snapshot: a running machine is no longer halted.
  s.result = null;
  return `restored the machine from ${file} (at ${s.cpu.instret} instructions)`;
}
