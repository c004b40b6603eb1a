// The REPL as a person uses it: in a real terminal (tmux), typing commands, Tab completion,
// history with the Up arrow, and Ctrl-C stopping a `continue` that would never end. Skipped (and
// said so) only when tmux is not installed (.ci/run installs it) or cannot start at all.
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const A64HV = join(ROOT, 'bin', 'a64hv');
import { statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
const TMUX_INSTALLED = spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;
// The tmux server refuses to start when /dev/null is not the character device (some sandboxes).
const DEV_NULL_OK = (() => {
  try {
    return statSync('/dev/null').isCharacterDevice();
  } catch {
    return false;
  }
})();
// Where /dev/null is a plain file (this project's sandbox, and so its CI), the tmux server is
// started in a private mount namespace with a real null device bound over /dev/null (needs root,
// unshare and mknod); the tmux clients outside reach it through its socket as usual.
const NULL_DEV = join(tmpdir(), `a64hv-null-${process.pid}`);
const PRIVATE_NULL =
  !DEV_NULL_OK &&
  TMUX_INSTALLED &&
  (() => {
    try {
      if (spawnSync('mknod', [NULL_DEV, 'c', '1', '3']).status !== 0) return false;
      const probe = spawnSync('unshare', ['-m', 'sh', '-c', `mount --bind ${NULL_DEV} /dev/null && test -c /dev/null`]);
      return probe.status === 0;
    } catch {
      return false;
    }
  })();
const HAVE_TMUX = TMUX_INSTALLED && (DEV_NULL_OK || PRIVATE_NULL);
if (!TMUX_INSTALLED) console.warn('test/debug/tmux.test.ts: SKIPPED: tmux is not installed (apt-get install tmux)');
else if (!HAVE_TMUX) {
  console.warn('test/debug/tmux.test.ts: SKIPPED: /dev/null is not a character device here and no private one could be mounted, so the tmux server will not start');
}

// A private tmux server: nothing of the user's sessions is touched.
const SOCKET = `a64hv-test-${process.pid}`;
const tmux = (...args: string[]): string => {
  const argv = ['tmux', '-L', SOCKET, ...args];
  // The command that starts the server runs in the private namespace when one is needed.
  const r =
    PRIVATE_NULL && args[0] === 'new-session'
      ? spawnSync('unshare', ['-m', 'sh', '-c', `mount --bind ${NULL_DEV} /dev/null && exec "$@"`, 'sh', ...argv], { encoding: 'utf8', timeout: 10_000 })
      : spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
afterAll(() => {
  if (HAVE_TMUX) spawnSync('tmux', ['-L', SOCKET, 'kill-server'], { timeout: 10_000 });
  if (PRIVATE_NULL) rmSync(NULL_DEV, { force: true });
});

const screen = (s: string): string => tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', s);

/** Wait (bounded) until the pane shows `re`; returns the screen. */
async function waitFor(s: string, re: RegExp, ms = 30_000): Promise<string> {
  const t0 = Date.now();
  for (;;) {
    const text = screen(s);
    if (re.test(text)) return text;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${re} in:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const type = (s: string, text: string): void => void tmux('send-keys', '-t', s, '-l', text);
const key = (s: string, ...keys: string[]): void => void tmux('send-keys', '-t', s, ...keys);

describe.skipIf(!HAVE_TMUX)('the REPL in a terminal (tmux)', () => {
  it('break, continue, step with the next instruction shown, regs, Tab completion, history, quit', async () => {
    const s = 'repl1';
    tmux('new-session', '-d', '-s', s, '-x', '160', '-y', '50', `${A64HV} repl ${join(ROOT, 'guests', 'build', 'sort.elf')}`);
    await waitFor(s, /\(a64hv\) ?$/m);
    // Tab completes a command name, then a symbol.
    type(s, 'brea');
    key(s, 'Tab');
    await waitFor(s, /\(a64hv\) break ?$/m);
    type(s, 'mai');
    key(s, 'Tab');
    await waitFor(s, /\(a64hv\) break main$/m);
    key(s, 'Enter');
    await waitFor(s, /breakpoint 1 at 0x40000360 <main>/);
    type(s, 'continue');
    key(s, 'Enter');
    await waitFor(s, /=> 0x40000360 <main>:\s+a9bb7bfd\s+stp x29, x30/);
    type(s, 'step');
    key(s, 'Enter');
    await waitFor(s, /=> 0x40000364 <main\+0x4>:/);
    // Up arrow recalls `step`.
    key(s, 'Up');
    await waitFor(s, /\(a64hv\) step$/m);
    key(s, 'Enter');
    await waitFor(s, /=> 0x40000368 <main\+0x8>:/);
    type(s, 'regs');
    key(s, 'Enter');
    const regs = await waitFor(s, /pc 0x0000000040000368/);
    expect(regs).toMatch(/x5 0x0000000040200000\*/); // adrp x5 changed x5: marked
    type(s, 'frobnicate');
    key(s, 'Enter');
    await waitFor(s, /error: unknown command 'frobnicate' \(try help\)/);
    type(s, 'quit');
    key(s, 'Enter');
    // The program ends, and with it the tmux session.
    const t0 = Date.now();
    while (spawnSync('tmux', ['-L', SOCKET, 'has-session', '-t', s]).status === 0) {
      if (Date.now() - t0 > 20_000) throw new Error('repl did not quit');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('Ctrl-C stops a continue that would run forever, and the session goes on', async () => {
    const s = 'repl2';
    // echo.elf polls the UART for input forever.
    tmux('new-session', '-d', '-s', s, '-x', '160', '-y', '50', `${A64HV} repl ${join(ROOT, 'guests', 'build', 'echo.elf')}`);
    await waitFor(s, /\(a64hv\) ?$/m);
    type(s, 'continue');
    key(s, 'Enter');
    await waitFor(s, /echo: type lines/);
    await new Promise((r) => setTimeout(r, 500));
    key(s, 'C-c');
    await waitFor(s, /interrupted\n=> 0x[0-9a-f]+ <read_char/);
    type(s, 'uart ok\\n');
    key(s, 'Enter');
    await waitFor(s, /fed 3 byte\(s\) to the UART/);
    type(s, 'step 200');
    key(s, 'Enter');
    await waitFor(s, /> OK \(2 chars\)/);
    type(s, 'quit');
    key(s, 'Enter');
  });
});
