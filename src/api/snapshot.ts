// Snapshots: the whole machine (state-walk.ts) and its RAM in one versioned byte string, kept in
// memory or written to a file. Only RAM pages that are not all zero are stored, and the whole is
// deflated. Format (version 1, little-endian):
//   "A64HVSNP" | u32 version | deflate( u32 jsonBytes | JSON | u32 pages | { u32 page, 4096 bytes }* )
// The JSON holds the format name, the machine configuration it was taken on and the state tree.
// A restore needs a machine of the same configuration (RAM size, PEs, CPU model, devices); the
// engine may differ (both give identical counts).
import { deflateSync, inflateSync } from 'node:zlib';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import type { Machine as Board } from '../machine.js';
import { saveState, restoreState, type StateTree } from './state-walk.js';
import { ApiError } from './errors.js';
import { driveRecords, checkDrives } from './host-files.js';

/** A snapshot: the bytes of the format above (write them anywhere; restore from them). */
export type Snapshot = Uint8Array;

export const SNAPSHOT_MAGIC = 'A64HVSNP';
export const SNAPSHOT_VERSION = 1;
const PAGE = 4096;

/**
 * What must match for a restore, read from the machine itself (so the REPL's machines, built from
 * command-line options, are checked the same way): RAM, PEs, the CPU model's ID registers, the
 * timing profile, the TLB geometry and costs, and the devices as the device tree describes them.
 */
export function machineShape(board: Board): Record<string, unknown> {
  const pe = board.cpu;
  return JSON.parse(
    JSON.stringify({
      ramSize: board.bus.ramSize,
      pes: board.pes.length,
      timing: pe.timing.profile.name,
      idRegs: pe['idRegs'],
      tlb: pe.mmu.tlb.config,
      devices: board.dtBoard(),
      semihosting: board.firmware.semihosting,
    }),
  ) as Record<string, unknown>;
}

export interface Payload {
  format: 'a64hv-snapshot';
  /**
   * What the state tree's root is: absent for the board (src/machine.ts), 'hypervisor' for a
   * Hypervisor with its board and VMs (src/api/hyp-snapshot.ts, which versions its own part).
   */
  kind?: 'hypervisor';
  hypVersion?: number;
  /** The machine's shape (checked on restore) and, from the API, the configuration it was built with. */
  shape: Record<string, unknown>;
  /** The virtio-blk drives' files (path, size, SHA-256): not copied, checked on restore (host-files.ts). */
  drives?: unknown;
  config: Record<string, unknown> | null;
  state: StateTree;
}

/** Snapshot `board`; `config` (JSON-able) lets Machine.fromSnapshot build the same machine again. */
export function saveMachineState(board: Board, config: Record<string, unknown> | null = null): Snapshot {
  return encodeSnapshot(board, { format: 'a64hv-snapshot', shape: machineShape(board), config, state: saveState(board) });
}

/** A payload and the RAM of `board` as snapshot bytes (the board's own, or a hypervisor's: hyp-snapshot.ts). */
export function encodeSnapshot(board: Board, payload: Payload): Snapshot {
  payload.drives = driveRecords(board);
  const json = Buffer.from(JSON.stringify(payload), 'utf8');
  // RAM: the pages with a non-zero word.
  const ram = board.bus.i32;
  const pages: number[] = [];
  const words = PAGE / 4;
  for (let p = 0, n = ram.length / words; p < n; p++) {
    const base = p * words;
    for (let k = 0; k < words; k++) {
      if (ram[base + k] !== 0) {
        pages.push(p);
        break;
      }
    }
  }
  const body = Buffer.alloc(4 + json.length + 4 + pages.length * (4 + PAGE));
  let at = 0;
  body.writeUInt32LE(json.length, at);
  at += 4;
  json.copy(body, at);
  at += json.length;
  body.writeUInt32LE(pages.length, at);
  at += 4;
  const u8 = board.bus.u8;
  for (const p of pages) {
    body.writeUInt32LE(p, at);
    at += 4;
    body.set(u8.subarray(p * PAGE, (p + 1) * PAGE), at);
    at += PAGE;
  }
  const head = Buffer.alloc(12);
  head.write(SNAPSHOT_MAGIC, 0, 'latin1');
  head.writeUInt32LE(SNAPSHOT_VERSION, 8);
  return new Uint8Array(Buffer.concat([head, deflateSync(body, { level: 1 })]));
}

/** RAM is at most 1 GiB (the fast path's int32 offsets): pages beyond it are corrupt framing. */
const MAX_RAM_PAGES = 0x4000_0000 / PAGE;

/** Decode and check a snapshot's framing (no machine touched). */
export function readSnapshot(s: Uint8Array, ramSize: number): { payload: Payload; pages: { page: number; data: Uint8Array }[] } {
  if (!(s instanceof Uint8Array)) throw new ApiError('snapshot: expected the bytes of a snapshot (a Uint8Array)');
  const b = Buffer.from(s.buffer, s.byteOffset, s.byteLength);
  if (b.length < 12 || b.toString('latin1', 0, 8) !== SNAPSHOT_MAGIC) throw new ApiError('snapshot: not an a64hv snapshot (bad magic)');
  const version = b.readUInt32LE(8);
  if (version !== SNAPSHOT_VERSION) throw new ApiError(`snapshot: format version ${version}; this a64hv reads version ${SNAPSHOT_VERSION}`);
  let body: Buffer;
  try {
    // Bounded: the RAM and a generous allowance for the state tree.
    body = inflateSync(b.subarray(12), { maxOutputLength: ramSize + (ramSize >>> 8) * 5 + 256 * 1024 * 1024 });
  } catch (e) {
    throw new ApiError(`snapshot: corrupt or truncated (${(e as Error).message})`);
  }
  const bad = (why: string): never => {
    throw new ApiError(`snapshot: corrupt (${why})`);
  };
  if (body.length < 8) bad('too short');
  const jlen = body.readUInt32LE(0);
  if (4 + jlen + 4 > body.length) bad('state length past the end');
  let payload: Payload;
  try {
    payload = JSON.parse(body.toString('utf8', 4, 4 + jlen)) as Payload;
  } catch {
    return bad('state is not JSON');
  }
  if (payload === null || typeof payload !== 'object' || payload.format !== 'a64hv-snapshot' || typeof payload.shape !== 'object' || payload.shape === null || typeof payload.config !== 'object' || payload.state === undefined) bad('no machine state');
  let at = 4 + jlen;
  const n = body.readUInt32LE(at);
  at += 4;
  if (body.length !== at + n * (4 + PAGE)) bad(`${n} RAM pages do not fill the rest`);
  const pages: { page: number; data: Uint8Array }[] = [];
  for (let i = 0; i < n; i++) {
    const page = body.readUInt32LE(at);
    if (page >= MAX_RAM_PAGES) bad(`RAM page ${page} beyond the RAM`);
    pages.push({ page, data: body.subarray(at + 4, at + 4 + PAGE) });
    at += 4 + PAGE;
  }
  return { payload, pages };
}

/** Put a snapshot back into `board` (a machine of the same shape). */
export function restoreMachineState(board: Board, s: Snapshot): void {
  // Framing read against the largest RAM: a snapshot of another RAM size is refused by its shape
  // (restoreDecoded), with the sizes named, rather than as corrupt.
  const { payload, pages } = readSnapshot(s, MAX_RAM_PAGES * PAGE);
  if (payload.kind !== undefined) throw new ApiError(`snapshot: of a ${payload.kind} (restore it into one: loadvm under --hyp, or restoreHypervisorState)`);
  restoreDecoded(board, board, payload, machineShape(board), pages);
}

/**
 * Put a decoded snapshot back: its shape checked against `want`, the state tree into `root` (the
 * board, or the hypervisor that owns `board`), the RAM into `board`.
 */
export function restoreDecoded(board: Board, root: object, payload: Payload, want: Record<string, unknown>, pages: { page: number; data: Uint8Array }[]): void {
  const diff = Object.keys(want).filter((k) => JSON.stringify(want[k]) !== JSON.stringify(payload.shape[k]));
  if (diff.length > 0) {
    throw new ApiError(`snapshot: taken on another machine configuration (${diff.map((k) => `${k} ${JSON.stringify(payload.shape[k])}, here ${JSON.stringify(want[k])}`).join('; ')})`);
  }
  for (const p of pages) if (p.page >= board.bus.ramSize / PAGE) throw new ApiError(`snapshot: corrupt (RAM page ${p.page} beyond the RAM)`);
  checkDrives(payload.drives, board);
  try {
    restoreState(root, payload.state);
  } catch (e) {
    const msg = e instanceof ApiError ? e.message : `snapshot: corrupt state (${(e as Error).message})`;
    throw new ApiError(`${msg}; the machine is left half-restored: discard it`);
  }
  const u8 = board.bus.u8;
  u8.fill(0);
  for (const p of pages) u8.set(p.data, p.page * PAGE);
  afterRestore(board);
}

/** What a restore must redo: decoded code dropped (the fast cache and code-page map are state), device events re-armed. */
export function afterRestore(board: Board): void {
  for (const pe of board.pes) {
    pe.forgetDecodedCode();
    pe.clearDeviceEvents();
  }
  board.rtc.reschedule();
  for (const pe of board.pes) pe.interruptsChanged();
}

export function writeSnapshotFile(path: string, s: Snapshot): void {
  try {
    writeFileSync(path, s);
  } catch (e) {
    throw new ApiError(`${path}: cannot write the snapshot (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Largest snapshot file read: 1 GiB of RAM can deflate to little, but never beyond this. */
const MAX_SNAPSHOT_FILE = 0x6000_0000;

export function readSnapshotFile(path: string): Snapshot {
  try {
    // A FIFO or /dev/zero is refused before reading, not read forever.
    const st = statSync(path);
    if (!st.isFile()) throw new ApiError(`${path}: not a regular file (a snapshot is a file written by savevm/writeSnapshotFile)`);
    if (st.size > MAX_SNAPSHOT_FILE) throw new ApiError(`${path}: ${st.size} bytes is larger than any snapshot`);
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(`${path}: cannot read the snapshot (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
