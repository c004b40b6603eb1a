// The --log logger: which categories are on, the --log-range filter and where lines go. Each line is
// "CATEGORY: message". Nothing here runs unless a category is on: the CPU's hooks are installed
// only for the categories asked for (src/log/cpu-log.ts).
import type { LogCategory } from './categories.js';
import { inRanges, type LogRange } from './range.js';
import type { LineSink } from './sink.js';

export class Logger {
  constructor(
    readonly categories: ReadonlySet<LogCategory>,
    readonly ranges: readonly LogRange[] | null,
    readonly sink: LineSink,
  ) {}

  has(c: LogCategory): boolean {
    return this.categories.has(c);
  }

  /** True when one of `addrs` passes the --log-range filter (any address when there is none). */
  wants(...addrs: bigint[]): boolean {
    if (this.ranges === null) return true;
    for (const a of addrs) if (inRanges(this.ranges, a)) return true;
    return false;
  }

  /** Write one line for category `c` (the caller checked has() and wants()). */
  line(c: LogCategory, msg: string): void {
    this.sink.write(`${c}: ${msg}\n`);
  }
}
