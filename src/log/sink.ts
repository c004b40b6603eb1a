// Where --log-file and --trace-file write: '-' is stdout; a file is opened at once (a bad path is a
// one-line error before the guest runs) and written synchronously in 64 KiB batches, so lines stay in
// order and nothing is lost when the run ends on an error.
import { openSync, writeSync, closeSync } from 'node:fs';
import { UserError } from '../errors.js';

export interface LineSink {
  write(s: string): unknown;
}

export class FileSink implements LineSink {
  private buf: string[] = [];
  private len = 0;
  private fd: number;
  /** The first write error (ENOSPC...): reported once by close(). */
  private failed: string | null = null;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw new UserError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }

  write(s: string): void {
    this.buf.push(s);
    this.len += s.length;
    if (this.len >= 1 << 16) this.flush();
  }

  flush(): void {
    if (this.len === 0 || this.fd < 0) return;
    const data = this.buf.join('');
    this.buf = [];
    this.len = 0;
    if (this.failed !== null) return;
    try {
      writeSync(this.fd, data);
    } catch (e) {
      this.failed = `${this.path}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
    }
  }

  /** Flush and close; returns the write error, if any, as a message. */
  close(): string | null {
    this.flush();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    return this.failed;
  }
}

/** Open an output for log lines: '-' = `stdout`, otherwise a FileSink. */
export function openLineSink(path: string, stdout: LineSink): LineSink & { close?: () => string | null } {
  return path === '-' ? stdout : new FileSink(path);
}
