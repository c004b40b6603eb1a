// PSCI (Arm Power State Coordination Interface, DEN0022) for the board's PEs (one, or several
// with a PsciPower from src/cpu/smp.ts), reached over
// the HVC conduit as on QEMU's virt board without EL2/EL3 firmware. The function ID is in W0,
// arguments in X1..X3, the result in X0 (SMC Calling Convention, DEN0028).
import type { Cpu } from '../cpu/cpu.js';
import { SYS } from '../cpu/sysregs.js';

export const PSCI_VERSION = 0x8400_0000;
export const PSCI_CPU_SUSPEND = 0x8400_0001;
export const PSCI_CPU_OFF = 0x8400_0002;
export const PSCI_CPU_ON = 0x8400_0003;
export const PSCI_AFFINITY_INFO = 0x8400_0004;
export const PSCI_MIGRATE = 0x8400_0005;
export const PSCI_MIGRATE_INFO_TYPE = 0x8400_0006;
export const PSCI_MIGRATE_INFO_UP_CPU = 0x8400_0007;
export const PSCI_SYSTEM_OFF = 0x8400_0008;
export const PSCI_SYSTEM_RESET = 0x8400_0009;
export const PSCI_FEATURES = 0x8400_000a;
/** SMC64 variants differ in bit 30 (0xC400_00xx). */
export const SMC64 = 0x4000_0000;
/** The SMC64 function ID of a function, as an unsigned 32-bit number. */
export const smc64 = (fid: number): number => (fid | SMC64) >>> 0;

// Return codes (DEN0022 5.2.2).
export const PSCI_SUCCESS = 0;
export const PSCI_NOT_SUPPORTED = -1;
export const PSCI_INVALID_PARAMETERS = -2;
export const PSCI_DENIED = -3;
export const PSCI_ALREADY_ON = -4;

/** We implement PSCI 1.1 (major in [31:16], minor in [15:0]); QEMU's virt reports 1.1 too. */
export const PSCI_VERSION_1_1 = 0x0001_0001;

/** How a PSCI call ended the run, if it did. */
export type PsciStop = { kind: 'off' } | { kind: 'reset' } | { kind: 'cpu-off' };

/** Functions answered SUCCESS by PSCI_FEATURES (both calling conventions where they exist). */
const IMPLEMENTED = new Set<number>([
  PSCI_VERSION,
  PSCI_CPU_SUSPEND,
  smc64(PSCI_CPU_SUSPEND),
  PSCI_CPU_OFF,
  PSCI_CPU_ON,
  smc64(PSCI_CPU_ON),
  PSCI_AFFINITY_INFO,
  smc64(PSCI_AFFINITY_INFO),
  PSCI_MIGRATE_INFO_TYPE,
  PSCI_SYSTEM_OFF,
  PSCI_SYSTEM_RESET,
  PSCI_FEATURES,
]);

/**
 * The PEs as PSCI sees them (src/cpu/smp.ts); absent with one PE. PE i has affinity Aff0 = i
 * and Aff1..Aff3 = 0 (MPIDR_EL1 as QEMU's virt gives up to 8 CPUs).
 */
export interface PsciPower {
  /** 1 = on, 0 = off, by PE (or by vCPU of a VM: vcpu-psci.ts); its length is the number of CPUs. */
  readonly on: Uint8Array;
  cpuOn(caller: Cpu, i: number, entryLo: number, entryHi: number, ctxLo: number, ctxHi: number): void;
  /** Power the caller off; false if it is the last PE on. */
  cpuOff(caller: Cpu): boolean;
}

/** AFFINITY_INFO results (DEN0022 5.7.2). */
export const AFF_ON = 0;
export const AFF_OFF = 1;

/** MPIDR affinity fields Aff3:Aff2:Aff1:Aff0 ([39:32], [23:0]) of the one CPU, all zero. */
function affinity(lo: number, hi: number): number {
  return (hi & 0xff) * 0x100_0000 + (lo & 0xff_ffff);
}

/**
 * Dispatch one PSCI call (`sleep`: CPU_SUSPEND really sleeps the PE: the board's firmware). Writes the result to X0 and returns a stop request for calls that do
 * not return (SYSTEM_OFF, SYSTEM_RESET, CPU_OFF of the last CPU), or null.
 */
export function psciCall(cpu: Cpu, power: PsciPower | null = null, sleep = false): PsciStop | null {
  const r = cpu.r;
  const fid = r[0] >>> 0; // W0: the upper 32 bits of X0 are ignored for the function ID
  let ret: number;
  switch (fid) {
    case PSCI_VERSION:
      ret = PSCI_VERSION_1_1;
      break;
    case PSCI_FEATURES: {
      // CPU_SUSPEND's feature flags: bit 1 = 0 (original power_state format), bit 0 = 0 (no OS-initiated mode).
      ret = IMPLEMENTED.has(r[2] >>> 0) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
      break;
    }
    case PSCI_CPU_SUSPEND:
    case smc64(PSCI_CPU_SUSPEND):
      // On the board (`sleep` given): a real suspend (cpuSuspend below). A VM's call under the
      // hypervisor is a standby left at once, which the spec allows (the call may return early,
      // 5.4.2): the vCPU keeps its PE and the next interrupt reaches it anyway.
      ret = sleep ? cpuSuspend(cpu, fid === PSCI_CPU_SUSPEND) : PSCI_SUCCESS;
      if (ret === SUSPENDED) return null;
      break;
    case PSCI_CPU_OFF:
      // The caller powers down (5.5.2) and the call does not return; turning off the last CPU
      // leaves nothing running: the run ends.
      if (power !== null && power.cpuOff(cpu)) return null;
      return { kind: 'cpu-off' };
    case PSCI_CPU_ON:
    case smc64(PSCI_CPU_ON): {
      // X1 = target MPIDR, X2 = entry point address, X3 = context id (W registers for the SMC32
      // ID). 5.6.2: an affinity that names no CPU is INVALID_PARAMETERS, a running one ALREADY_ON.
      const fid32 = fid === PSCI_CPU_ON;
      const aff = affinity(r[2], fid32 ? 0 : r[3]);
      const n = power === null ? 1 : power.on.length;
      if (aff >= n) ret = PSCI_INVALID_PARAMETERS;
      else if (power === null || power.on[aff] !== 0) ret = PSCI_ALREADY_ON;
      else {
        power.cpuOn(cpu, aff, r[4], fid32 ? 0 : r[5], r[6], fid32 ? 0 : r[7]);
        ret = PSCI_SUCCESS;
      }
      break;
    }
    case PSCI_AFFINITY_INFO:
    case smc64(PSCI_AFFINITY_INFO): {
      // X1 = target affinity, X2 = lowest affinity level (0..3); fields below that level are ignored.
      const fid32 = fid === PSCI_AFFINITY_INFO;
      const level = r[4] >>> 0;
      if (r[5] !== 0 || level > 3) {
        ret = PSCI_INVALID_PARAMETERS;
        break;
      }
      let aff = affinity(r[2], fid32 ? 0 : r[3]);
      const ignoreBits = level === 3 ? 24 : level * 8; // Aff0..Aff2 occupy bits [23:0]
      if (level === 3) aff -= aff % 0x100_0000;
      else aff = Math.floor(aff / 2 ** ignoreBits);
      if (level === 0 && power !== null) {
        // One CPU's state (5.7.1); every CPU is in cluster 0, which is on while its caller runs.
        ret = aff < power.on.length ? (power.on[aff] !== 0 ? AFF_ON : AFF_OFF) : PSCI_INVALID_PARAMETERS;
      } else ret = aff === 0 ? AFF_ON : PSCI_INVALID_PARAMETERS;
      break;
    }
    case PSCI_MIGRATE_INFO_TYPE:
      ret = 2; // Trusted OS not present or does not require migration
      break;
    case PSCI_SYSTEM_OFF:
      return { kind: 'off' };
    case PSCI_SYSTEM_RESET:
      return { kind: 'reset' };
    default:
      ret = PSCI_NOT_SUPPORTED;
  }
  r[0] = ret | 0;
  r[1] = ret < 0 ? -1 : 0; // sign-extended to 64 bits
  return null;
}

// CPU_SUSPEND's power_state, original format (DEN0022 5.4.2.2): StateID [15:0], StateType [16]
// (0 standby, 1 powerdown), PowerLevel [25:24]; bits [31:26] and [23:17] are reserved (zero).
const PS_STATE_TYPE_POWERDOWN = 1 << 16;
const PS_RESERVED = 0xfc00_0000 | 0x00fe_0000;
/** cpuSuspend's answer when the PE went to sleep: X0 already holds what it resumes with. */
const SUSPENDED = 1;
// SCTLR_EL1.M, C, I: a PE entering the OS after power-down has its MMU and caches off (6.4.3).
const SCTLR_MCI = 1 | 1 << 2 | 1 << 12;
// SPSR for EL1h with D, A, I, F masked: the state the entry point is entered in (6.4.3).
const SPSR_EL1H_DAIF = 0x3c5;

/**
 * CPU_SUSPEND(power_state, entry_point, context_id) on the board (DEN0022 5.4). The PE sleeps as
 * WFI does (Cpu.waitForInterrupt: a wake-up event, even a masked interrupt, ends it, ARM ARM
 * D1.6.2). Standby: the call returns SUCCESS when it wakes. Powerdown: the PE's context is lost,
 * so when it wakes it enters entry_point as after CPU_ON (EL1h, DAIF masked, MMU and caches off,
 * X0 = context_id); with a wake-up event already pending the call returns SUCCESS at once, as
 * 5.4.2 allows (a powerdown request may return early). Reserved power_state bits:
 * INVALID_PARAMETERS.
 */
function cpuSuspend(cpu: Cpu, fid32: boolean): number {
  const r = cpu.r;
  const ps = r[2] >>> 0;
  if ((ps & PS_RESERVED) !== 0 || (!fid32 && r[3] !== 0)) return PSCI_INVALID_PARAMETERS;
  if ((ps & PS_STATE_TYPE_POWERDOWN) === 0 || cpu.wfiWakeup()) {
    // Standby (or a powerdown that returns early): SUCCESS once the PE wakes up.
    r[0] = PSCI_SUCCESS;
    r[1] = 0;
    cpu.waitForInterrupt();
    return SUSPENDED;
  }
  // Powerdown: the firmware's return lands at entry_point in EL1h (the caller's EL here: the
  // board's guests call from EL1) once the PE wakes up.
  cpu.setSys(SYS.ELR_EL2, r[4], fid32 ? 0 : r[5]);
  cpu.setSys(SYS.SPSR_EL2, SPSR_EL1H_DAIF, 0);
  cpu.setSys(SYS.SCTLR_EL1, cpu.sysLo(SYS.SCTLR_EL1) & ~SCTLR_MCI, cpu.sysHi(SYS.SCTLR_EL1));
  cpu.contextChanged();
  cpu.exclValid = 0;
  r[0] = r[6];
  r[1] = fid32 ? 0 : r[7];
  cpu.waitForInterrupt();
  return SUSPENDED;
}
