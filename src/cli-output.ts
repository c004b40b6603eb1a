// Output files the user names (--stats-json, --regs-out, --dump, --dump-dtb, --log-file,
// --trace-file): '-' means stdout, as in most Unix tools; anything else is a file, written whole,
// with a one-line error when it cannot be.
import { writeFile } from 'node:fs/promises';
import { UserError } from './errors.js';

export interface OutputSink {
  write(s: string | Uint8Array): unknown;
}

/** Write `data` to PATH, or to `stdout` when PATH is '-'. */
export async function writeOutput(path: string, data: string | Uint8Array, stdout: { write(s: string): unknown }): Promise<void> {
  if (path === '-') {
    (stdout as OutputSink).write(data);
    return;
  }
  try {
    await writeFile(path, data);
  } catch (e) {
    throw new UserError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
