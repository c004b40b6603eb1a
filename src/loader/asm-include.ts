// `.include "file"` for assembly guests. Keystone has no include directive (it rejects it), so the
// loader expands includes itself, as GNU as would: the path is relative to the including file's
// folder, the text is inserted in place of the directive line. Every expanded line remembers where
// it came from, so an assembly error still reads `file:line: message` for the file the user wrote.
// A hostile source cannot make this loop or grow without bound: includes nest at most
// MAX_INCLUDE_DEPTH deep, a file that includes itself (directly or not) is an error, and the
// expanded text is capped at MAX_EXPANDED_BYTES.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';

export const MAX_INCLUDE_DEPTH = 16;
export const MAX_EXPANDED_BYTES = 16 << 20;

/** Where a line of the expanded text was written. */
export interface LineOrigin {
  file: string;
  line: number;
}

export interface ExpandedSource {
  lines: string[];
  origins: LineOrigin[];
}

/** How the expander reads an included file (tests give their own). `null`: no such file. */
export type IncludeReader = (absPath: string) => string | null;

const INCLUDE_RE = /^\s*\.include\s+"([^"]*)"\s*(?:(?:\/\/|@|;).*)?$/;
/** A `.include` the pattern above did not accept (no quotes, trailing text): an error, not keystone's. */
const LOOSE_INCLUDE_RE = /^\s*\.include\b/;

function fsReader(absPath: string): string | null {
  try {
    const st = statSync(absPath);
    if (!st.isFile()) return null;
    if (st.size > MAX_EXPANDED_BYTES) throw new UserError(`${absPath}: ${st.size} bytes is too large to include (the limit is ${MAX_EXPANDED_BYTES >> 20} MiB)`);
    return readFileSync(absPath, 'utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    return null;
  }
}

/** True if the source uses `.include` at all (most do not: they skip the expansion). */
export function hasInclude(src: string): boolean {
  return /^\s*\.include\b/m.test(src);
}

/**
 * Expand the `.include` lines of `src`. `file` is the name errors use for the top file, `dir` the
 * folder its includes are relative to (the file's own folder; the working directory for a snippet),
 * `topPath` the top file's own path when it is a file (so that including it is found as a cycle).
 */
export function expandIncludes(src: string, file: string, dir: string, topPath: string | null = null, read: IncludeReader = fsReader): ExpandedSource {
  const out: ExpandedSource = { lines: [], origins: [] };
  let bytes = 0;
  const walk = (text: string, shown: string, absDir: string, stack: string[]): void => {
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const m = INCLUDE_RE.exec(line);
      if (m === null) {
        if (LOOSE_INCLUDE_RE.test(line)) throw new UserError(`${shown}:${i + 1}: .include takes one quoted path: .include "file"`);
        bytes += line.length + 1;
        if (bytes > MAX_EXPANDED_BYTES) throw new UserError(`${shown}:${i + 1}: the source with its includes exceeds ${MAX_EXPANDED_BYTES >> 20} MiB`);
        out.lines.push(line);
        out.origins.push({ file: shown, line: i + 1 });
        continue;
      }
      const arg = m[1];
      if (arg === '') throw new UserError(`${shown}:${i + 1}: .include "": empty path`);
      const abs = resolve(absDir, arg);
      if (stack.includes(abs)) throw new UserError(`${shown}:${i + 1}: .include "${arg}" includes itself`);
      if (stack.length >= MAX_INCLUDE_DEPTH) throw new UserError(`${shown}:${i + 1}: .include "${arg}": includes nest deeper than ${MAX_INCLUDE_DEPTH}`);
      const body = read(abs);
      if (body === null) throw new UserError(`${shown}:${i + 1}: .include "${arg}": no such file`);
      walk(body, join(dirname(shown), arg), dirname(abs), [...stack, abs]);
    }
  };
  walk(src, file, resolve(dir), topPath === null ? [] : [resolve(topPath)]);
  return out;
}
