// The REPL's `savevm FILE` / `loadvm FILE` (QEMU's names): the whole machine to a snapshot file
// and back (src/api/snapshot.ts). Under --hyp the whole hypervisor machine: its VMs, their vCPUs,
// vGICs, devices and exit statistics with the board (src/api/hyp-snapshot.ts).
import type { Session } from './session.js';
import { saveMachineState, restoreMachineState, writeSnapshotFile, readSnapshotFile } from '../api/snapshot.js';
import { saveHypervisorState, restoreHypervisorState } from '../api/hyp-snapshot.js';
import { ApiError } from '../api/errors.js';

export function vmSnapshot(s: Session, cmd: 'savevm' | 'loadvm', args: string[]): string {
  if (args.length !== 1) throw new ApiError(`${cmd}: expected one FILE argument`);
  const file = args[0];
  const what = s.hv !== null ? `the hypervisor and its ${s.hv.vms.length} VM(s)` : 'the machine';
  if (cmd === 'savevm') {
    const snap = s.hv !== null ? saveHypervisorState(s.hv) : saveMachineState(s.m);
    writeSnapshotFile(file, snap);
    return `saved ${what} to ${file} (${snap.length} bytes, at ${s.cpu.instret} instructions)`;
  }
  if (s.hv !== null) restoreHypervisorState(s.hv, readSnapshotFile(file));
  else restoreMachineState(s.m, readSnapshotFile(file));
  // The stop state comes from the snapshot: a running machine is no longer halted.
  s.result = null;
  return `restored ${what} from ${file} (at ${s.cpu.instret} instructions)`;
}
