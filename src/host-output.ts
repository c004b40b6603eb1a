// The host's stdout as the CLI's guest-output sink, guarded: a closed pipe (`a64hv run x | head`)
// or a full disk (`>/dev/full`) arrives as an 'error' event on the stream. Unhandled, EPIPE was an
// uncaught exception with a stack trace, and ENOSPC was ignored (exit 0, the output lost). Here
// the first error is recorded, further writes are dropped, and `onFail` stops the run (which then
// still reports its figures and --stats-json); the CLI turns the error into its exit status.

/** Exit status after stdout was closed by its reader: 128 + SIGPIPE, as `yes | head` gives. */
export const EXIT_BROKEN_PIPE = 141;
/** Exit status after another write error on stdout (sysexits.h EX_IOERR). */
export const EXIT_OUTPUT_ERROR = 74;

/** Why a run was stopped by a stdout failure (the AbortSignal's reason). */
export class OutputError extends Error {
  constructor(readonly code: string) {
    super(code === 'EPIPE' ? 'stdout was closed (EPIPE)' : `cannot write stdout (${code})`);
  }
  /** The process exit status this failure gives. */
  get exitStatus(): number {
    return this.code === 'EPIPE' ? EXIT_BROKEN_PIPE : EXIT_OUTPUT_ERROR;
  }
}

export class GuardedOutput {
  error: OutputError | null = null;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly onFail: (e: OutputError) => void,
  ) {
    stream.on('error', (e: NodeJS.ErrnoException) => this.fail(e));
  }

  write(s: string | Uint8Array): boolean {
    if (this.error !== null) return false;
    try {
      return this.stream.write(s);
    } catch (e) {
      this.fail(e as NodeJS.ErrnoException);
      return false;
    }
  }

  /** Record a failure reported elsewhere (a write callback's error). */
  fail(e: NodeJS.ErrnoException): void {
    if (this.error !== null) return;
    this.error = new OutputError(e.code ?? e.message);
    this.onFail(this.error);
  }

  /** The process exit status and the one-line message for a failed stdout, or null. */
  outcome(): { code: number; message: string } | null {
    if (this.error === null) return null;
    const broken = this.error.code === 'EPIPE';
    return { code: this.error.exitStatus, message: `a64hv: ${broken ? '' : 'error: '}${this.error.message}; the run was stopped\n` };
  }
}
