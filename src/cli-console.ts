// The guest's console on an interactive terminal: the terminal in raw mode, as QEMU's
// `-serial stdio` puts it, so each key reaches the guest as it is typed and only the guest echoes
// it (in the terminal's line mode the terminal echoed the line and the guest's shell echoed it
// again), and the terminal's own replies (a cursor-position report ESC [ row ; col R to a query
// the guest sent) go to the guest at once instead of being printed on the screen and held until
// Enter. Ctrl-C keeps its meaning for a64hv (stop the run, figures printed; twice: quit at once);
// QEMU's escape is there too: Ctrl-A x stops the run, Ctrl-A c sends the guest a Ctrl-C (to
// interrupt the guest's own program), Ctrl-A Ctrl-A sends one Ctrl-A.
export const CTRL_A = 0x01;
export const CTRL_C = 0x03;

export interface TtyInput {
  isTTY?: boolean;
  setRawMode?: (raw: boolean) => unknown;
}

/**
 * Splits what the terminal sends into bytes for the guest and a64hv's keys: `feed(bytes)` returns
 * the bytes the guest gets and calls `interrupt` for Ctrl-C and Ctrl-A x. A Ctrl-A at the end of one
 * chunk applies to the next chunk's first byte.
 */
export class ConsoleKeys {
  private pendingA = false;
  constructor(private readonly interrupt: () => void) {}

  feed(data: Uint8Array): Uint8Array {
    const out: number[] = [];
    for (const b of data) {
      if (this.pendingA) {
        this.pendingA = false;
        if (b === 0x78 /* x */ || b === 0x58 /* X */) this.interrupt();
        else if (b === 0x63 /* c */ || b === 0x43 /* C */) out.push(CTRL_C);
        else if (b === CTRL_A) out.push(CTRL_A);
        else out.push(CTRL_A, b); // not an escape: both bytes go to the guest
        continue;
      }
      if (b === CTRL_A) this.pendingA = true;
      else if (b === CTRL_C) this.interrupt();
      else out.push(b);
    }
    return Uint8Array.from(out);
  }
}

/**
 * If `stdin` is a terminal, put it in raw mode. Returns the key filter for its bytes and the
 * function that puts the terminal back; null when stdin is not a terminal (a file or a pipe: bytes
 * pass as they come, and Ctrl-C is the shell's SIGINT as before).
 */
export function rawConsole(stdin: TtyInput, interrupt: () => void): { keys: ConsoleKeys; restore: () => void } | null {
  if (stdin.isTTY !== true || typeof stdin.setRawMode !== 'function') return null;
  stdin.setRawMode(true);
  let restored = false;
  return {
    keys: new ConsoleKeys(interrupt),
    restore: () => {
      if (restored) return;
      restored = true;
      stdin.setRawMode!(false);
    },
  };
}
