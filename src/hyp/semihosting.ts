// Arm semihosting (Semihosting for AArch32 and AArch64, version 2.0): HLT #0xF000 with the
// operation number in W0 and a pointer to a parameter block (or a value) in X1; the result goes
// to X0. Behaviour was compared with qemu-system-aarch64 7.2 -semihosting where the spec leaves
// room (handle numbers, errno values); differences: SYS_FLEN of ':tt' is -1 here (QEMU: 0) and an
// unknown operation returns -1 (QEMU stops the emulator). Only the console is offered: ':tt' and the ':semihosting-features' pseudo-file open,
// host files do not (a sandbox: guests cannot read or write the host's files).
//
// Parameter blocks and buffers are accessed through the CPU's data accesses (cpu.ld*/st*): the
// guest's virtual addresses in its current translation regime, and stores invalidate decoded
// code like any store. A faulting access makes the call fail with -1 and errno EFAULT instead of
// raising an exception in the guest (QEMU does the same).
// Under the hypervisor, a stage-2 fault here is first offered to it (`pageIn`: first-touch RAM)
// and the access retried; only a fault it does not resolve fails the call with EFAULT.
import type { Cpu } from '../cpu/cpu.js';

export const SYS_OPEN = 0x01;
export const SYS_CLOSE = 0x02;
export const SYS_WRITEC = 0x03;
export const SYS_WRITE0 = 0x04;
export const SYS_WRITE = 0x05;
export const SYS_READ = 0x06;
export const SYS_READC = 0x07;
export const SYS_ISERROR = 0x08;
export const SYS_ISTTY = 0x09;
export const SYS_SEEK = 0x0a;
export const SYS_FLEN = 0x0c;
export const SYS_TMPNAM = 0x0d;
export const SYS_REMOVE = 0x0e;
export const SYS_RENAME = 0x0f;
export const SYS_CLOCK = 0x10;
export const SYS_TIME = 0x11;
export const SYS_SYSTEM = 0x12;
export const SYS_ERRNO = 0x13;
export const SYS_GET_CMDLINE = 0x15;
export const SYS_HEAPINFO = 0x16;
export const SYS_EXIT = 0x18;
export const SYS_EXIT_EXTENDED = 0x20;
export const SYS_ELAPSED = 0x30;
export const SYS_TICKFREQ = 0x31;

/** ADP_Stopped_ApplicationExit: the normal exit reason; the subcode is the exit status. */
export const ADP_STOPPED_APPLICATION_EXIT = 0x20026;

// errno values reported by SYS_ERRNO (the usual newlib/Linux numbers).
const ENOENT = 2;
const EBADF = 9;
const EFAULT = 14;
const EINVAL = 22;
const ESPIPE = 29;
const ENOSYS = 38;

/** Modelled core clock: 1 GHz (cycles are nanoseconds), as in src/cpu/timer.ts. */
const CORE_HZ = 1_000_000_000;

/** ':semihosting-features' contents: magic "SHFB" and one byte, EXIT_EXTENDED | STDOUT_STDERR. */
const FEATURES = new Uint8Array([0x53, 0x48, 0x46, 0x42, 0x03]);

type Handle = { kind: 'stdin' } | { kind: 'stdout' } | { kind: 'stderr' } | { kind: 'data'; data: Uint8Array; pos: number };

export interface SemihostHost {
  /** Console output (stdout and stderr of the guest), in order. */
  write(bytes: Uint8Array, stream: 'stdout' | 'stderr'): void;
  /** Up to n bytes of console input available now (non-blocking; empty means none/EOF). */
  read(n: number): number[];
  /** Heap and stack placement for SYS_HEAPINFO. */
  heapInfo(): { heapBase: number; heapLimit: number; stackBase: number; stackLimit: number };
  cmdline: string;
}

export type SemihostStop = { kind: 'exit'; code: number; reason: number };

class Fault extends Error {}

export class Semihosting {
  private handles = new Map<number, Handle>();
  private errno = 0;
  /**
   * Operations 0x100-0x1FF, which the semihosting specification reserves for user applications
   * (a64hv's statistics regions, src/stats/roi.ts); null: they fail with ENOSYS like other unknown ones.
   */
  vendor: ((cpu: Cpu, op: number, arg: bigint) => bigint | null) | null = null;
  /** The hypervisor's hook for a pending fault during this call (true: resolved, retry). */
  private pageIn: ((cpu: Cpu) => boolean) | null = null;
  /** --log guest-errors (src/log): told of a call the guest got wrong (unreadable parameter block, unknown operation); null when off. */
  onGuestError: ((msg: string) => void) | null = null;

  constructor(private readonly host: SemihostHost) {
    this.reset();
  }

  reset(): void {
    this.handles = new Map<number, Handle>();
    this.errno = 0;
  }

  /** The lowest free handle from 1, as QEMU allocates them (checked with QEMU 7.2: no handle is
   * open before the guest's first SYS_OPEN, and open(':tt', 'w') then open(':tt', 'r') give 1, 2). */
  private allocHandle(): number {
    let n = 1;
    while (this.handles.has(n)) n++;
    return n;
  }

  /** Perform the call in W0/X1. Returns a stop request for SYS_EXIT*, otherwise null. */
  call(cpu: Cpu, pageIn: ((cpu: Cpu) => boolean) | null = null): SemihostStop | null {
    this.pageIn = pageIn;
    const op = cpu.r[0] >>> 0;
    const arg = cpu.readX(1);
    let result: bigint;
    try {
      const r = this.op(cpu, op, arg);
      if (typeof r === 'object') return r;
      result = r;
    } catch (e) {
      if (!(e instanceof Fault)) throw e;
      this.errno = EFAULT;
      result = -1n;
      this.onGuestError?.(`semihosting operation 0x${op.toString(16)}: its parameter block or buffer at 0x${arg.toString(16)} cannot be read (EFAULT)`);
    }
    cpu.writeX(0, BigInt.asUintN(64, result));
    return null;
  }

  private op(cpu: Cpu, op: number, arg: bigint): bigint | SemihostStop {
    const word = (k: number): bigint => this.ld64(cpu, arg + 8n * BigInt(k));
    switch (op) {
      case SYS_WRITEC:
        this.host.write(new Uint8Array([this.ld8(cpu, arg)]), 'stdout');
        return cpu.readX(0); // X0 is corrupted per the spec; leave the operation number
      case SYS_WRITE0: {
        const bytes: number[] = [];
        for (let a = arg; ; a++) {
          const b = this.ld8(cpu, a);
          if (b === 0) break;
          bytes.push(b);
          if (bytes.length > 1 << 20) break; // a runaway string: stop at 1 MiB
        }
        this.host.write(new Uint8Array(bytes), 'stdout');
        return cpu.readX(0);
      }
      case SYS_OPEN: {
        // Block: {pointer to name, mode 0..11 (fopen modes r, rb, r+, r+b, w, wb, w+, w+b, a, ...), name length}.
        const namePtr = word(0);
        const mode = Number(word(1));
        const len = Number(word(2));
        const name = new TextDecoder().decode(this.readBytes(cpu, namePtr, Math.min(len, 4096)));
        let h: Handle;
        if (name === ':tt') {
          h = mode < 4 ? { kind: 'stdin' } : mode < 8 ? { kind: 'stdout' } : { kind: 'stderr' };
        } else if (name === ':semihosting-features' && mode < 4) {
          h = { kind: 'data', data: FEATURES, pos: 0 };
        } else {
          this.errno = ENOENT;
          return -1n;
        }
        const n = this.allocHandle();
        this.handles.set(n, h);
        return BigInt(n);
      }
      case SYS_CLOSE: {
        const n = Number(word(0));
        if (!this.handles.delete(n)) return this.fail(EBADF);
        return 0n;
      }
      case SYS_WRITE: {
        // Block: {handle, buffer, length}. Returns the number of bytes NOT written.
        const h = this.handles.get(Number(word(0)));
        const buf = word(1);
        const len = word(2);
        if (h === undefined || h.kind === 'stdin' || h.kind === 'data') {
          this.errno = EBADF;
          return len;
        }
        // In chunks, so that a length larger than the guest's memory costs no host memory: the
        // first unreadable byte ends the write, and the result counts what was not written.
        let done = 0n;
        while (done < len) {
          const n = Number(len - done < 0x1_0000n ? len - done : 0x1_0000n);
          let bytes: Uint8Array;
          try {
            bytes = this.readBytes(cpu, buf + done, n);
          } catch (e) {
            if (!(e instanceof Fault)) throw e;
            this.errno = EFAULT;
            return len - done;
          }
          this.host.write(bytes, h.kind);
          done += BigInt(n);
        }
        return 0n;
      }
      case SYS_READ: {
        // Block: {handle, buffer, length}. Returns the number of bytes NOT read (len = EOF).
        const h = this.handles.get(Number(word(0)));
        const buf = word(1);
        const len64 = word(2);
        const len = len64 > 0x1_0000_0000n ? 0x1_0000_0000 : Number(len64); // at most what a host read can give
        let data: number[];
        if (h?.kind === 'stdin') data = this.host.read(len);
        else if (h?.kind === 'data') {
          data = [...h.data.subarray(h.pos, h.pos + len)];
          h.pos += data.length;
        } else {
          this.errno = EBADF;
          return -1n;
        }
        this.writeBytes(cpu, buf, data);
        return len64 - BigInt(data.length);
      }
      case SYS_READC: {
        // Non-blocking: with no input available, -1 (the spec's call would wait).
        const d = this.host.read(1);
        return d.length ? BigInt(d[0]) : -1n;
      }
      case SYS_ISERROR:
        return word(0) >> 63n ? 1n : 0n;
      case SYS_ISTTY: {
        const h = this.handles.get(Number(word(0)));
        if (h === undefined) return this.fail(EBADF);
        return h.kind === 'data' ? 0n : 1n;
      }
      case SYS_SEEK: {
        const h = this.handles.get(Number(word(0)));
        const pos = Number(word(1));
        if (h === undefined) return this.fail(EBADF);
        if (h.kind !== 'data') return this.fail(ESPIPE);
        if (pos < 0 || pos > h.data.length) return this.fail(EINVAL);
        h.pos = pos;
        return 0n;
      }
      case SYS_FLEN: {
        const h = this.handles.get(Number(word(0)));
        if (h === undefined) return this.fail(EBADF);
        return h.kind === 'data' ? BigInt(h.data.length) : -1n; // a terminal has no length
      }
      case SYS_TMPNAM:
      case SYS_REMOVE:
      case SYS_RENAME:
      case SYS_SYSTEM:
        return this.fail(ENOSYS);
      case SYS_CLOCK:
        // Centiseconds of modelled time since reset: deterministic across runs.
        return BigInt(Math.floor(cpu.cycles / (CORE_HZ / 100)));
      case SYS_TIME:
        // Seconds since the Unix epoch: the host's wall clock (the one non-deterministic call).
        return BigInt(Math.floor(Date.now() / 1000));
      case SYS_ELAPSED: {
        // 64-bit tick count written to the block at X1 (ticks = modelled cycles).
        const t = BigInt(Math.floor(cpu.cycles));
        this.st64(cpu, arg, t);
        return 0n;
      }
      case SYS_TICKFREQ:
        return BigInt(CORE_HZ);
      case SYS_ERRNO:
        return BigInt(this.errno);
      case SYS_GET_CMDLINE: {
        // Block: {buffer, length}. Writes a NUL-terminated string and its length back.
        const buf = word(0);
        const size = Number(word(1));
        const bytes = new TextEncoder().encode(this.host.cmdline);
        if (bytes.length + 1 > size) return -1n;
        this.writeBytes(cpu, buf, [...bytes, 0]);
        this.st64(cpu, arg + 8n, BigInt(bytes.length));
        return 0n;
      }
      case SYS_HEAPINFO: {
        // X1 points to a word holding the address of a 4-word block to fill.
        const block = word(0);
        const i = this.host.heapInfo();
        this.st64(cpu, block, BigInt(i.heapBase));
        this.st64(cpu, block + 8n, BigInt(i.heapLimit));
        this.st64(cpu, block + 16n, BigInt(i.stackBase));
        this.st64(cpu, block + 24n, BigInt(i.stackLimit));
        return 0n;
      }
      case SYS_EXIT:
      case SYS_EXIT_EXTENDED: {
        // AArch64: X1 points to {reason, subcode}. Only ApplicationExit carries a status.
        const reason = Number(word(0));
        const sub = Number(BigInt.asIntN(32, word(1)));
        return { kind: 'exit', reason, code: reason === ADP_STOPPED_APPLICATION_EXIT ? sub : 1 };
      }
      default: {
        const r = op >= 0x100 && op <= 0x1ff && this.vendor !== null ? this.vendor(cpu, op, arg) : null;
        if (r === null) this.onGuestError?.(`semihosting operation 0x${op.toString(16)} is unknown (ENOSYS)`);
        return r ?? this.fail(ENOSYS);
      }
    }
  }

  private fail(errno: number): bigint {
    this.errno = errno;
    return -1n;
  }

  // ---- guest memory through the CPU's data accesses; a fault becomes EFAULT ----
  private check(cpu: Cpu): void {
    if (cpu.status !== 0) {
      // Drop the pending abort: the semihosting call reports the fault instead.
      cpu.status = 0;
      cpu.excFarValid = 0;
      throw new Fault();
    }
  }
  private split(a: bigint): [number, number] {
    const v = BigInt.asUintN(64, a);
    return [Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0];
  }
  /** A pending fault the hypervisor resolved: clear it and retry the access. */
  private retry(cpu: Cpu): boolean {
    if (cpu.status === 0 || this.pageIn === null || !this.pageIn(cpu)) return false;
    cpu.status = 0;
    cpu.excFarValid = 0;
    return true;
  }
  private ld8(cpu: Cpu, a: bigint): number {
    const [lo, hi] = this.split(a);
    let v = cpu.ld8(lo, hi);
    while (this.retry(cpu)) v = cpu.ld8(lo, hi);
    this.check(cpu);
    return v & 0xff;
  }
  private ld64(cpu: Cpu, a: bigint): bigint {
    if ((a & 7n) !== 0n) {
      // Unaligned block (the spec requires alignment, but be lenient): byte by byte.
      let v = 0n;
      for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(this.ld8(cpu, a + BigInt(k)));
      return v;
    }
    const [lo, hi] = this.split(a);
    let l = cpu.ld64(lo, hi);
    while (this.retry(cpu)) l = cpu.ld64(lo, hi);
    const h = cpu.tmpHi;
    this.check(cpu);
    return (BigInt(h >>> 0) << 32n) | BigInt(l >>> 0);
  }
  private st64(cpu: Cpu, a: bigint, v: bigint): void {
    const u = BigInt.asUintN(64, v);
    this.writeBytes(cpu, a, Array.from({ length: 8 }, (_, k) => Number((u >> BigInt(8 * k)) & 0xffn)));
  }
  private writeBytes(cpu: Cpu, a: bigint, data: ArrayLike<number>): void {
    let [lo, hi] = this.split(a);
    for (let k = 0; k < data.length; k++) {
      cpu.st8(lo, hi, data[k]);
      while (this.retry(cpu)) cpu.st8(lo, hi, data[k]);
      this.check(cpu);
      lo = (lo + 1) | 0;
      if (lo === 0) hi = (hi + 1) | 0;
    }
  }
  private readBytes(cpu: Cpu, a: bigint, len: number): Uint8Array {
    const out = new Uint8Array(Math.max(0, len));
    let [lo, hi] = this.split(a);
    for (let k = 0; k < out.length; k++) {
      out[k] = cpu.ld8(lo, hi);
      while (this.retry(cpu)) out[k] = cpu.ld8(lo, hi);
      this.check(cpu);
      lo = (lo + 1) | 0;
      if (lo === 0) hi = (hi + 1) | 0;
    }
    return out;
  }
}
