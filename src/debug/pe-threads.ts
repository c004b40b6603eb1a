// GDB threads = PEs (GDB Remote Serial Protocol: qfThreadInfo/qsThreadInfo, qC, H, T,
// qThreadExtraInfo, thread-specific stop replies). Thread id = PE number + 1 (ids are positive;
// 0 means "any thread", -1 "all threads"), as QEMU's gdbstub numbers its CPUs. All-stop: every PE
// stops at a stop; `s` steps the Hc thread alone while the others stay stopped.
import type { Session } from './session.js';
import { toHex } from './rsp.js';

/** The GDB thread id of PE `i`, in hex as the protocol writes it (two digits in stop replies). */
export const threadId = (i: number): string => (i + 1).toString(16).padStart(2, '0');
/** The same id without padding (qC, qfThreadInfo: one PE answers QC1 and m1 as before). */
export const threadIdShort = (i: number): string => (i + 1).toString(16);

/** A thread-id field: a PE number, 'any' (0) or 'all' (-1); null if malformed or no such PE. */
function parseThread(s: Session, f: string): number | 'any' | 'all' | null {
  if (f === '-1') return 'all';
  if (!/^[0-9a-f]{1,8}$/i.test(f)) return null;
  const id = parseInt(f, 16);
  if (id === 0) return 'any';
  return id <= s.pes.length ? id - 1 : null;
}

export class PeThreads {
  /** The PE `s` steps (Hc), or -1: the selected one (Hg). */
  stepPe = -1;

  constructor(private readonly s: Session) {}

  /** qfThreadInfo: every PE, powered or not (as QEMU lists every CPU). */
  list(): string {
    return 'm' + this.s.pes.map((_p, i) => threadIdShort(i)).join(',');
  }

  /** Hg<id> selects the PE of g/G/p/P/m/M; Hc<id> the PE `s` steps. */
  select(p: string): string {
    const t = parseThread(this.s, p.slice(2));
    if (t === null || (p[1] !== 'g' && p[1] !== 'c')) return 'E22';
    if (p[1] === 'g') {
      if (typeof t === 'number') this.s.selectPe(t);
    } else this.stepPe = typeof t === 'number' ? t : -1;
    return 'OK';
  }

  /** T<id>: is the thread alive (every PE exists for the whole session). */
  alive(p: string): string {
    const t = parseThread(this.s, p.slice(1));
    return typeof t === 'number' ? 'OK' : 'E01';
  }

  /** qThreadExtraInfo,<id>: "PE n, running|WFI|WFE|off" (GDB's `info threads`). */
  extraInfo(p: string): string {
    const t = parseThread(this.s, p.slice('qThreadExtraInfo,'.length));
    if (typeof t !== 'number') return 'E01';
    return toHex(new TextEncoder().encode(`PE ${t}, ${this.s.peState(t)}`));
  }

  /**
   * vCont actions: the PE of the first step action (`s:id`, or `s` alone: the Hc/selected PE),
   * null when there is none (continue), 'bad' for a thread that does not exist.
   */
  vContStep(actions: string): number | null | 'bad' {
    for (const a of actions.split(';')) {
      if (a[0] !== 's' && a[0] !== 'S') continue;
      const colon = a.indexOf(':');
      if (colon < 0) return this.stepPe >= 0 ? this.stepPe : this.s.pe;
      const t = parseThread(this.s, a.slice(colon + 1));
      if (t === null) return 'bad';
      return typeof t === 'number' ? t : this.s.pe;
    }
    return null;
  }

  /** Before `s`: the Hc PE becomes the selected one (Session.step steps the selected PE). */
  beforeStep(): void {
    if (this.stepPe >= 0) this.s.selectPe(this.stepPe);
  }

  /** After a stop GDB reads the stopped thread; Hc goes back to "the selected one". */
  afterStop(): void {
    this.stepPe = -1;
  }
}
