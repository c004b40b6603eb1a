// Reading files the user names (guests, --load, --initrd, --drive is elsewhere, --hyp-config,
// --regs-in, REPL scripts): a file decides how much memory we allocate, so it must be a regular
// file (not /dev/zero, a FIFO or a directory: an endless stream grew memory without bound) and no
// larger than what it can go into. Reads are bounded even if the file grows while it is read.
import { open } from 'node:fs/promises';
import { openSync, fstatSync, readSync, closeSync } from 'node:fs';
import { UserError } from '../errors.js';

/** The largest guest RAM (1 GiB, --ram's limit): no binary input can be larger and still fit. */
export const MAX_BINARY_INPUT = 1024 ** 3;
/** JSON and text inputs (--hyp-config, --regs-in, scripts, assembly sources). */
export const MAX_TEXT_INPUT = 64 * 1024 * 1024;

function why(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
}

function checkStat(path: string, st: { isFile(): boolean; isDirectory(): boolean; size: number }, max: number, what: string): void {
  if (st.isDirectory()) throw new UserError(`${path}: is a directory`);
  if (!st.isFile()) throw new UserError(`${path}: not a regular file (devices, FIFOs and sockets are not read: their size is unknown)`);
  if (st.size > max) throw new UserError(`${path}: ${st.size} bytes is larger than ${what} (${max} bytes)`);
}

/** Read a whole regular file of at most `max` bytes; one-line UserErrors otherwise. */
export async function readInputFile(path: string, max = MAX_BINARY_INPUT, what = 'the largest RAM'): Promise<Uint8Array> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new UserError(`${path}: ${why(e)}`);
  }
  try {
    checkStat(path, await fh.stat(), max, what);
    // Read up to max + 1 bytes: a file that grew past the limit since the stat is refused too.
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const buf = new Uint8Array(Math.min(1 << 24, max + 1 - total));
      if (buf.length === 0) break;
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
    }
    if (total > max) throw new UserError(`${path}: larger than ${what} (${max} bytes)`);
    if (chunks.length === 1) return chunks[0];
    const out = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${path}: ${why(e)}`);
  } finally {
    await fh.close();
  }
}

/** The synchronous text form (configuration files, scripts); UTF-8. */
export function readInputTextSync(path: string, max = MAX_TEXT_INPUT): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new UserError(`${path}: ${why(e)}`);
  }
  try {
    const st = fstatSync(fd);
    checkStat(path, st, max, 'a text input may be');
    // One byte more than the stat said: reading it means the file grew meanwhile.
    const buf = new Uint8Array(st.size + 1);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) break;
      total += n;
      if (total > st.size) throw new UserError(`${path}: the file grew while it was read`);
    }
    return new TextDecoder().decode(buf.subarray(0, total));
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${path}: ${why(e)}`);
  } finally {
    closeSync(fd);
  }
}

/** The asynchronous text form. */
export async function readInputText(path: string, max = MAX_TEXT_INPUT): Promise<string> {
  return new TextDecoder().decode(await readInputFile(path, max, 'a text input may be'));
}

/** The text of a JSON input file as an object (not an array or a scalar); one-line UserErrors otherwise. */
export function parseJsonObject(text: string, file: string): Record<string, unknown> {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: invalid JSON (${(e as Error).message})`);
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new UserError(`${file}: expected a JSON object`);
  return j as Record<string, unknown>;
}
