// `--log-range ADDR[-END|+LEN][,...]`: log only events whose address lies in one of the ranges
// (QEMU's -dfilter). END is inclusive, as QEMU's "0x1000-0x1fff"; LEN counts bytes from ADDR.
// Addresses are 64-bit: kept as bigint (the check runs only for an event already being logged).
import { UserError } from '../errors.js';

export interface LogRange {
  lo: bigint;
  /** Inclusive. */
  hi: bigint;
}

const MAX = (1n << 64n) - 1n;

function num(s: string, spec: string): bigint {
  const t = s.trim().replace(/_/g, '');
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) throw new UserError(`--log-range ${spec}: bad address '${s}' (use e.g. 0x40000000-0x40000fff or 0x40000000+4K)`);
  return BigInt(t);
}

function size(s: string, spec: string): bigint {
  const m = /^\s*(0x[0-9a-f]+|\d+)\s*([kmg])?\s*$/i.exec(s);
  if (m === null) throw new UserError(`--log-range ${spec}: bad length '${s}'`);
  const unit = { k: 1n << 10n, m: 1n << 20n, g: 1n << 30n }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1n;
  return BigInt(m[1]) * unit;
}

export function parseLogRanges(spec: string): LogRange[] {
  const out: LogRange[] = [];
  for (const part of spec.split(',')) {
    if (part.trim() === '') continue;
    let r: LogRange;
    const plus = part.indexOf('+');
    const dash = part.indexOf('-');
    if (plus > 0) {
      const lo = num(part.slice(0, plus), spec);
      const len = size(part.slice(plus + 1), spec);
      if (len === 0n) throw new UserError(`--log-range ${spec}: zero length`);
      r = { lo, hi: lo + len - 1n };
    } else if (dash > 0) {
      r = { lo: num(part.slice(0, dash), spec), hi: num(part.slice(dash + 1), spec) };
    } else {
      const a = num(part, spec);
      r = { lo: a, hi: a };
    }
    if (r.hi > MAX || r.lo > MAX) throw new UserError(`--log-range ${spec}: address does not fit in 64 bits`);
    if (r.hi < r.lo) throw new UserError(`--log-range ${spec}: the end is below the start`);
    out.push(r);
  }
  if (out.length === 0) throw new UserError(`--log-range '${spec}': no range given`);
  return out;
}

/** True when no ranges are given, or `addr` is in one. */
export function inRanges(ranges: readonly LogRange[] | null, addr: bigint): boolean {
  if (ranges === null) return true;
  for (const r of ranges) if (addr >= r.lo && addr <= r.hi) return true;
  return false;
}
