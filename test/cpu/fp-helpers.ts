// Helpers for FP/SIMD tests: run a snippet with FP enabled (CPACR_EL1.FPEN = 0b11) and V
// registers / FPCR preset, then read V registers as bits.
import { runAsm, type RunOpts } from '../helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';
import type { Cpu } from '../../src/cpu/cpu.js';
import type { Machine } from '../../src/machine.js';

export interface FpOpts extends RunOpts {
  /** V registers as 128-bit values (low bits = element 0). */
  v?: Record<number, bigint>;
  fpcr?: number;
  fpsr?: number;
  /** Leave CPACR_EL1.FPEN at its reset value 0 (FP traps). */
  fpOff?: boolean;
}

export function setV(cpu: Cpu, n: number, x: bigint): void {
  for (let k = 0; k < 4; k++) cpu.vr[4 * n + k] = Number((x >> BigInt(32 * k)) & 0xffffffffn) | 0;
}
export function V(cpu: Cpu, n: number): bigint {
  let r = 0n;
  for (let k = 3; k >= 0; k--) r = (r << 32n) | BigInt(cpu.vr[4 * n + k] >>> 0);
  return r;
}
export const S = (cpu: Cpu, n: number): number => cpu.vr[4 * n] >>> 0;
export const Dbits = (cpu: Cpu, n: number): bigint => V(cpu, n) & 0xffffffffffffffffn;

export async function runFp(src: string, o: FpOpts = {}): Promise<Machine> {
  return runAsm(src + '\nhlt #1', {
    ...o,
    setup: (m) => {
      if (!o.fpOff) m.cpu.setSys(SYS.CPACR_EL1, 0x300000, 0);
      for (const [k, x] of Object.entries(o.v ?? {})) setV(m.cpu, Number(k), x);
      m.cpu.fpcr = o.fpcr ?? 0;
      m.cpu.fpsr = o.fpsr ?? 0;
      o.setup?.(m);
    },
  });
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
export const dbits = (x: number): bigint => ((f64[0] = x), u64[0]);
export const sbits = (x: number): number => ((f32[0] = x), u32[0]);
export const fromD = (b: bigint): number => ((u64[0] = b), f64[0]);
export const fromS = (b: number): number => ((u32[0] = b), f32[0]);

// FPSR flags
export const IOC = 1;
export const DZC = 2;
export const OFC = 4;
export const UFC = 8;
export const IXC = 16;
export const IDC = 128;
// FPCR
export const DN = 1 << 25;
export const FZ = 1 << 24;
export const RP = 1 << 22;
export const RM = 2 << 22;
export const RZ = 3 << 22;
