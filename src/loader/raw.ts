// Raw binary images: the file's bytes copied to one physical address; execution starts there.
import { UserError, hex } from '../errors.js';

/** The start of RAM. A raw kernel without --addr now goes to RAM + 0x80000 as QEMU puts it (kernel-layout.ts). */
export const DEFAULT_RAW_ADDR = 0x4000_0000n;

export interface RamTarget {
  ramBase: number;
  ramSize: number;
  load(pa: number, data: Uint8Array): void;
}

/** Copy `data` to `addr`, checking it fits in RAM. Returns the end address (exclusive). */
export function loadRaw(bus: RamTarget, data: Uint8Array, addr: bigint, name: string): number {
  const end = addr + BigInt(data.length);
  const ramEnd = BigInt(bus.ramBase + bus.ramSize);
  if (addr < BigInt(bus.ramBase) || end > ramEnd) {
    throw new UserError(
      `${name}: ${data.length} bytes at ${hex(addr)} do not fit in RAM ${hex(bus.ramBase)}-${hex(ramEnd - 1n)}`,
    );
  }
  bus.load(Number(addr), data);
  return Number(end);
}
