// What a person at a terminal sees while a long run computes, and the wall time it spends idle.
//
// - The progress line (instructions, MIPS, modelled time) is drawn on stderr only when stderr is
//   a terminal, only after the run has computed for PROGRESS_AFTER_MS, at most every
//   PROGRESS_EVERY_MS, and only while the guest's console is at the start of a line (so a prompt
//   or a half-printed line is never overwritten). Guest output erases it first; it is erased when
//   the run waits for input or a timer and when the run ends. It reads the host clock and nothing
//   else: the guest's instructions, cycles and statistics are the same with it or without it.
// - Idle wall time: the time the run loop spends waiting (the guest asleep in WFI until its
//   timer or host input), so that MIPS can be given over the time the emulator computed.
import { CYCLES_PER_MS } from './cpu/timer.js';
import { realClock, type HostClock } from './host-input.js';
import type { Sink } from './cli.js';

export const PROGRESS_AFTER_MS = 1000;
export const PROGRESS_EVERY_MS = 250;
/** Erase the current terminal line (CR, then CSI K: erase to the end of the line). */
const ERASE = '\r\x1b[K';

const si = (n: number): string => (n >= 1e9 ? `${(n / 1e9).toFixed(2)}G` : n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}K` : String(n));

export class RunMeter {
  private readonly tty: boolean;
  private start: number;
  /** Wall milliseconds spent waiting (WFI idle, input). */
  idleMs = 0;
  private shown = false;
  private lastDraw = -Infinity;
  /** Whether the guest's console is at the start of a line (a progress line may be drawn). */
  private atLineStart = true;

  /** Whether the guest's console (stdout) is on the terminal too: then the line makes way for it. */
  private readonly shared: boolean;

  constructor(
    private readonly err: Sink,
    out: Sink,
    private readonly clock: HostClock = realClock,
    enabled = true,
  ) {
    const isTty = (s: Sink): boolean => (s as { isTTY?: boolean }).isTTY === true;
    this.tty = enabled && isTty(err);
    this.shared = isTty(out);
    this.start = clock.now();
  }

  /** The guest starts now (loading is not part of the run's wall time). */
  begin(): void {
    this.start = this.clock.now();
  }
  /** Wall milliseconds since the run started. */
  wallMs(): number {
    return this.clock.now() - this.start;
  }
  /** Wall milliseconds the emulator computed (wall time minus idle waits). */
  busyMs(): number {
    return Math.max(0, this.wallMs() - this.idleMs);
  }

  /** Guest console text passes here before it is written: the progress line makes way for it. */
  output(text: string): void {
    if (text === '' || !this.shared) return;
    this.erase();
    this.atLineStart = text.endsWith('\n');
  }

  /** Between slices: redraw the progress line when it is due. */
  tick(instructions: number, cycles: number): void {
    if (!this.tty || !this.atLineStart) return;
    const now = this.clock.now();
    const busy = this.busyMs();
    if (busy < PROGRESS_AFTER_MS || now - this.lastDraw < PROGRESS_EVERY_MS) return;
    this.lastDraw = now;
    this.shown = true;
    const mips = instructions / 1000 / busy;
    const modelled = cycles / CYCLES_PER_MS / 1000;
    this.err.write(`${ERASE}a64hv: ${si(instructions)} instructions, ${mips.toFixed(1)} MIPS, ${modelled.toFixed(3)} s modelled`);
  }

  /** Wait for `p` with the progress line erased, counting the time as idle. */
  async idle<T>(p: Promise<T>): Promise<T> {
    this.erase();
    const t = this.clock.now();
    try {
      return await p;
    } finally {
      this.idleMs += this.clock.now() - t;
    }
  }

  /** The run ended (or is about to print): take the progress line away. */
  erase(): void {
    if (!this.shown) return;
    this.err.write(ERASE);
    this.shown = false;
  }
}

/** The figures-table rows for wall time and MIPS, with idle time apart when there was some. */
export function wallRows(meter: RunMeter, instructions: number, wallMs: number): string[][] {
  const idle = Math.min(meter.idleMs, wallMs);
  const busy = wallMs - idle;
  const mips = busy > 0 ? instructions / 1000 / busy : 0;
  if (idle < 0.05) return [['wall time', `${wallMs.toFixed(1)} ms`], ['MIPS', mips.toFixed(2)]];
  return [
    ['wall time', `${wallMs.toFixed(1)} ms (${idle.toFixed(1)} ms idle: the guest asleep in WFI, waiting for its timer or input)`],
    ['MIPS', `${mips.toFixed(2)} (over the ${busy.toFixed(1)} ms not idle)`],
  ];
}

/** The CPI row's text: with idle WFI cycles, the CPI of the instructions alone, then the overall one. */
export function cpiText(cycles: number, idleCycles: number, instructions: number, timing: string): string {
  if (instructions <= 0) return '-';
  const all = (cycles / instructions).toFixed(3);
  if (idleCycles <= 0) return `${all} (${timing} timing)`;
  return `${((cycles - idleCycles) / instructions).toFixed(3)} (${timing} timing; ${all} with the idle WFI cycles)`;
}
