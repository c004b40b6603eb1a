// a64hv as a library: `import { Machine } from 'a64hv'` (docs/api.md). Everything exported here
// is the public, typed API; deeper modules are internals that may change.
export { Machine, API_DEFAULT_RAM, VIRT } from './machine.js';
export type { MachineConfig, RunOptions, RunResult, LoadedProgram, MachineStats } from './machine.js';
export type { CodeHook, MemHook, ExceptionHook, FaultHook, HookHandle, HookRange, MemAccess, ExceptionInfo, ExceptionKind, FaultInfo } from './hooks.js';
export { SNAPSHOT_MAGIC, SNAPSHOT_VERSION, writeSnapshotFile, readSnapshotFile } from './snapshot.js';
export type { Snapshot } from './snapshot.js';
export { ApiError } from './errors.js';
export { Hypervisor } from './hypervisor.js';
export type { HypervisorConfig, VmSpec, VmExit, UserDevice, HypRunResult } from './hypervisor.js';
