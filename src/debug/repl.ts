// The interactive debugger: node:readline with history and tab completion (commands, then
// symbols), or commands from a file/stdin (--script) so tests and scripts can drive it.
import * as readline from 'node:readline';
import { readFileSync } from 'node:fs';
import { readInputTextSync } from '../loader/input-file.js';
import { Session, type TargetOptions } from './session.js';
import { Debugger, CommandError, commandNames } from './commands.js';
import { UserError } from '../errors.js';

export interface ReplIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  stdin?: NodeJS.ReadableStream;
  /** Interactive terminal: prompt, colours, Ctrl-C interrupts `continue`. */
  terminal?: boolean;
}

export interface ReplOptions extends TargetOptions {
  /** File of commands ('-' for stdin); each is echoed after the prompt, like a transcript. */
  script?: string;
  /** Run to this breakpoint (address or symbol) before the first prompt (`run --break`). */
  breakAt?: string;
  /** Told of the session once it exists (the CLI's `repl --stats-json` reads its figures at the end). */
  onSession?: (s: Session) => void;
}

export const PROMPT = '(a64hv) ';

/** Run a debugging session. Returns the process exit status. */
export async function repl(opts: ReplOptions, io: ReplIo): Promise<number> {
  const s = await Session.create({ ...opts, onOutput: (t) => io.stdout.write(t) });
  opts.onSession?.(s);
  const dbg = new Debugger(s, { color: io.terminal === true });
  await dbg.init();
  const print = (t: string): void => {
    if (t !== '') io.stdout.write(t.endsWith('\n') ? t : t + '\n');
  };
  let errors = 0;
  const run = async (line: string): Promise<void> => {
    try {
      print(await dbg.exec(line));
    } catch (e) {
      if (e instanceof CommandError || e instanceof UserError) {
        errors++;
        io.stdout.write(`error: ${e.message}\n`);
      } else throw e;
    }
  };

  io.stdout.write(`a64hv debugger: ${opts.guest} (${s.img.kind}, ${s.img.symbols.size} symbols), entry ${dbg.where(s.img.entry)}; type help\n`);
  if (opts.breakAt !== undefined) {
    let addr: bigint;
    try {
      addr = dbg.addr(opts.breakAt);
    } catch (e) {
      throw new UserError(`--break ${opts.breakAt}: ${(e as Error).message}`);
    }
    await run(`break ${'0x' + addr.toString(16)}`);
    await run('continue');
  } else print(dbg.here());

  if (opts.script !== undefined) {
    let text: string;
    try {
      text = opts.script === '-' ? readFileSync(0, 'utf8') : readInputTextSync(opts.script);
    } catch (e) {
      throw new UserError(`--script ${opts.script}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      io.stdout.write(`${PROMPT}${line.trim()}\n`);
      await run(line);
      if (dbg.quitRequested) break;
    }
    return errors > 0 ? 1 : 0;
  }

  // Interactive (or piped without --script).
  const input = io.stdin ?? process.stdin;
  const symbols = s.img.symbols.names();
  const names = commandNames();
  const rl = readline.createInterface({
    input,
    output: io.stdout as NodeJS.WritableStream,
    terminal: io.terminal === true,
    prompt: PROMPT,
    historySize: 1000,
    completer: (line: string): [string[], string] => {
      const parts = line.split(/\s+/);
      const word = parts[parts.length - 1];
      const pool = parts.length <= 1 ? names : [...symbols, ...['sp', 'pc', 'lr']];
      const hits = pool.filter((n) => n.startsWith(word)).sort();
      // A completed command name gets its separating space, ready for the argument.
      return [parts.length <= 1 && hits.length === 1 ? [hits[0] + ' '] : hits, word];
    },
  });
  let running = false;
  rl.on('SIGINT', () => {
    // Ctrl-C stops a running `continue` at the next slice; at the prompt it clears the line.
    if (running) s.interruptRequested = true;
    else {
      io.stdout.write('^C\n');
      rl.prompt();
    }
  });
  rl.prompt();
  for await (const line of rl) {
    running = true;
    try {
      await run(line);
    } finally {
      running = false;
    }
    if (dbg.quitRequested) break;
    rl.prompt();
  }
  rl.close();
  return 0;
}
