// --log, --log-range and --log-file as the `run` command uses them: a Logger, the hooks it needs
// on a machine's PEs and firmware, and closing its file at the end.
import type { ExcObserver } from '../cpu/cpu.js';
import type { Machine } from '../machine.js';
import { parseLogCategories, type LogCategory } from './categories.js';
import { parseLogRanges } from './range.js';
import { Logger } from './logger.js';
import { openLineSink, type LineSink } from './sink.js';
import { exceptionLogger, instructionLogger, type TraceHook } from './cpu-log.js';
import { UserError } from '../errors.js';

export interface LogOptions {
  log?: string;
  logRange?: string;
  logFile?: string;
}

export interface LogSetup {
  logger: Logger;
  /** Flush and close the log file; a write error as a message. */
  close(): string | null;
}

/** Parse the options (one-line errors) and open the output; null when --log is absent. */
export function createLogger(o: LogOptions, stdout: LineSink, stderr: LineSink): LogSetup | null {
  if (o.log === undefined) {
    if (o.logRange !== undefined || o.logFile !== undefined) throw new UserError(`${o.logRange !== undefined ? '--log-range' : '--log-file'} needs --log CATEGORIES (--log help lists them)`);
    return null;
  }
  const cats: Set<LogCategory> = parseLogCategories(o.log);
  const ranges = o.logRange !== undefined ? parseLogRanges(o.logRange) : null;
  const sink = o.logFile !== undefined ? openLineSink(o.logFile, stdout) : stderr;
  return { logger: new Logger(cats, ranges, sink), close: () => (sink as { close?: () => string | null }).close?.() ?? null };
}

/** The exception observer attachLogger installed on each machine, for detachLogger. */
const attached = new WeakMap<Machine, ExcObserver>();

/**
 * Install the hooks for the categories on: exceptions on every PE, semihosting errors on the board
 * firmware. Returns the per-instruction hook for exec/in-asm (the caller runs it with --trace's),
 * or null when neither is on.
 */
export async function attachLogger(m: Machine, log: Logger, symbol: (pc: bigint) => string): Promise<TraceHook | null> {
  const exc = exceptionLogger(log);
  if (exc !== null) {
    attached.set(m, exc);
    for (const pe of m.pes) pe.addExcObserver(exc);
  }
  if (log.has('guest-errors')) m.firmware.semihost.onGuestError = (msg) => log.line('guest-errors', msg);
  if (!log.has('exec') && !log.has('in-asm')) return null;
  const { loadDisassembler } = await import('../debug/disasm.js');
  const dis = await loadDisassembler();
  return instructionLogger(log, (pc, raw) => dis.insn(pc, raw), symbol);
}

/** Remove the hooks (the machine may be reused by a library caller). */
export function detachLogger(m: Machine): void {
  const exc = attached.get(m);
  if (exc !== undefined) for (const pe of m.pes) pe.removeExcObserver(exc);
  attached.delete(m);
  m.firmware.semihost.onGuestError = null;
}
