// Keystone (keystone-wasm) in a worker thread, with a time limit per assembly.
//
// Why a worker: keystone loops forever on some inputs (a file that is just `,`, an unterminated
// `.ascii "abc`, a line starting with `:` or `\`); on the main thread that hung the CLI at 100% CPU
// and Ctrl-C never got through. A worker can be terminated: a call that does not finish in time
// ends the worker, and the next call starts a new one.
//
// Why not keystone-wasm's Keystone.asm: it passes the source through Emscripten's ccall 'string'
// conversion, which copies it onto the wasm stack (64 KiB in this build; the heap is a fixed
// 16 MiB). A source larger than the stack overwrote keystone's static data: "memory access out of
// bounds" for a valid 20,000-line file (reported "at line 1"), for the label pass of a file with a
// few thousand labels (the `.quad` table doubles the text), and every later call in the process
// failed too. Here the source goes into the heap (malloc) and ks_asm gets the pointer, and a trap
// inside keystone (out of memory, out of bounds) also ends the worker, so no state survives it.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

/** The worker's code (CommonJS, run with eval: dist/ mirrors src/, and no .ts loader is needed). */
function workerSource(keystonePath: string): string {
  return `
const { parentPort } = require('node:worker_threads');
const ks = require(${JSON.stringify(keystonePath)});
let captured = [];
const M = { print: (s) => captured.push(String(s)), printErr: (s) => captured.push(String(s)) };
let engine = null;
const ready = ks.loadKeystone(M).then(() => {
  engine = new ks.Keystone(ks.Const.KS_ARCH_ARM64, ks.Const.KS_MODE_LITTLE_ENDIAN);
  parentPort.postMessage({ id: 0 });
});
parentPort.on('message', async (msg) => {
  await ready;
  captured = [];
  const bytes = new TextEncoder().encode(msg.src);
  const src = M._malloc(bytes.length + 1);
  const out = M._malloc(12);
  if (src === 0 || out === 0) {
    parentPort.postMessage({ id: msg.id, trap: 'the source is too large for the assembler (' + bytes.length + ' bytes)' });
    return;
  }
  M.HEAPU8.set(bytes, src);
  M.HEAPU8[src + bytes.length] = 0;
  try {
    const err = M._ks_asm(engine.handle, src, BigInt(msg.base), out, out + 4, out + 8);
    if (err !== 0) {
      parentPort.postMessage({ id: msg.id, code: null, error: ks.Keystone.strError(engine.errNo()), captured });
      return;
    }
    const dv = new DataView(M.HEAPU8.buffer);
    const ptr = dv.getUint32(out, true);
    const len = dv.getUint32(out + 4, true);
    const code = M.HEAPU8.slice(ptr, ptr + len);
    M._ks_free(ptr);
    parentPort.postMessage({ id: msg.id, code, error: '', captured });
  } catch (e) {
    // A trap in keystone: its memory may be corrupt; the host ends this worker.
    parentPort.postMessage({ id: msg.id, trap: String(e && e.message || e) });
    return;
  }
  M._free(src);
  M._free(out);
});
`;
}

/** The outcome of one keystone call. */
export type KsResult =
  | { kind: 'ok'; code: Uint8Array; captured: string[] }
  | { kind: 'error'; error: string; captured: string[] }
  /** keystone trapped (out of memory, out of bounds): the worker was replaced. */
  | { kind: 'trap'; error: string }
  /** keystone did not finish within the time limit: the worker was ended and will be replaced. */
  | { kind: 'timeout' };

interface Reply {
  id: number;
  code?: Uint8Array | null;
  error?: string;
  captured?: string[];
  trap?: string;
}

interface Running {
  w: Worker;
  /** Calls waiting for this worker's reply (a worker that ends answers them with null). */
  waiting: Map<number, (r: Reply | null) => void>;
  /** Resolves true once keystone is loaded in the worker (false if the worker ended first). */
  ready: Promise<boolean>;
}

export class KeystoneWorker {
  private current: Running | null = null;
  private nextId = 1;
  /** Workers started so far (a test checks a hang or a trap replaces the worker). */
  started = 0;

  private start(): Running {
    const path = createRequire(import.meta.url).resolve('keystone-wasm');
    const w = new Worker(workerSource(path), { eval: true });
    const run: Running = { w, waiting: new Map(), ready: Promise.resolve(false) };
    // Loading keystone is not part of any call's time limit (it is slow on a loaded machine).
    run.ready = new Promise<Reply | null>((res) => run.waiting.set(0, res)).then((r) => r !== null);
    this.started++;
    w.on('message', (r: Reply) => {
      const done = run.waiting.get(r.id);
      run.waiting.delete(r.id);
      done?.(r);
    });
    const fail = (): void => {
      if (this.current === run) this.current = null;
      for (const done of run.waiting.values()) done(null);
      run.waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', fail);
    // An idle worker must not keep the process alive (asm() holds a reference while it waits).
    // After the listeners: attaching a 'message' listener refs the worker's port again, which
    // kept a library user's script that had assembled a snippet from ever exiting.
    w.unref();
    return run;
  }

  /** Assemble `src` at `base`, giving up after `limitMs` milliseconds (the worker is then ended). */
  async asm(src: string, base: bigint, limitMs: number): Promise<KsResult> {
    const run = (this.current ??= this.start());
    // Referenced while a call waits (keystone loading has no timer to keep the process alive).
    run.w.ref();
    try {
      return await this.call(run, src, base, limitMs);
    } finally {
      run.w.unref();
    }
  }

  private async call(run: Running, src: string, base: bigint, limitMs: number): Promise<KsResult> {
    if (!(await run.ready)) {
      this.stop(run);
      return { kind: 'trap', error: 'the assembler could not be started' };
    }
    const id = this.nextId++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const reply = await new Promise<Reply | null | 'timeout'>((res) => {
      run.waiting.set(id, res);
      timer = setTimeout(() => res('timeout'), limitMs);
      run.w.postMessage({ id, src, base: base.toString() });
    });
    clearTimeout(timer);
    run.waiting.delete(id);
    if (reply === 'timeout' || reply === null) {
      this.stop(run);
      return reply === 'timeout' ? { kind: 'timeout' } : { kind: 'trap', error: 'the assembler stopped unexpectedly' };
    }
    if (reply.trap !== undefined) {
      this.stop(run);
      return { kind: 'trap', error: reply.trap };
    }
    if (reply.code === null || reply.code === undefined) return { kind: 'error', error: reply.error ?? 'keystone error', captured: reply.captured ?? [] };
    return { kind: 'ok', code: reply.code, captured: reply.captured ?? [] };
  }

  /** End a worker (after a hang or a trap); the next call starts a fresh one. */
  private stop(run: Running): void {
    if (this.current === run) this.current = null;
    void run.w.terminate();
  }
}
