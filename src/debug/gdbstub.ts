// A GDB remote stub over TCP (127.0.0.1 only): one connection; GDB threads are the PEs (thread
// id = PE number + 1, as QEMU's gdbstub numbers its CPUs; see pe-threads.ts). Run control
// goes through the Session (breakpoints as PC checks, watchpoints on the data slow path: the guest's
// memory is never patched). `monitor CMD` runs the REPL's read-only commands (tr, tlb, stats...).
import * as net from 'node:net';
import { Session, type Stop, type WatchKind } from './session.js';
import { Debugger, CommandError } from './commands.js';
import { RspParser, encodePacket, toHex, fromHex, leHex, fromLeHex, hexField } from './rsp.js';
import { PeThreads, threadId, threadIdShort } from './pe-threads.js';
import { TARGET_XML, NUM_REGS, REG_SP, REG_PC, REG_CPSR, REG_V0, REG_FPSR, REG_FPCR, regSize, REG_SYS0, NUM_ALL_REGS } from './target-xml.js';
import { GDB_SYSREGS, readSysreg } from './gdb-sysregs.js';

const MASK64 = (1n << 64n) - 1n;

/** How the debugging session ended. */
export type GdbEnd = { kind: 'detach' } | { kind: 'kill' } | { kind: 'exit'; stop: Stop };

/** The protocol engine, independent of the socket (tests drive it packet by packet). */
export class GdbStub {
  private noAck = false;
  ended: GdbEnd | null = null;
  private readonly dbg: Debugger;
  private readonly threads: PeThreads;

  constructor(readonly s: Session) {
    this.dbg = new Debugger(s);
    this.threads = new PeThreads(s);
  }

  async init(): Promise<void> {
    await this.dbg.init();
  }

  get ackMode(): boolean {
    return !this.noAck;
  }

  /** GDB's ^C while the target runs. */
  interrupt(): void {
    this.s.interruptRequested = true;
  }

  /**
   * Answer one packet (payload already unescaped). Returns the reply payload, or null for none.
   * Every handler is awaited inside the try, so a malformed field in an async one (qRcmd, vCont)
   * is an error reply too, not a rejection that ends the session.
   */
  async handle(p: string): Promise<string | null> {
    const s = this.s;
    try {
      switch (p[0]) {
        case '?':
          return this.stopReply(s.lastStop);
        case 'g':
          return this.readAllRegs();
        case 'G':
          this.writeAllRegs(p.slice(1));
          return 'OK';
        case 'p': {
          const n = parseInt(p.slice(1), 16);
          if (!(n >= 0 && n < NUM_ALL_REGS)) return 'E00';
          return this.readReg(n);
        }
        case 'P': {
          const eq = p.indexOf('=');
          const n = parseInt(p.slice(1, eq), 16);
          if (eq < 0 || !(n >= 0 && n < NUM_REGS)) return 'E00';
          this.writeReg(n, p.slice(eq + 1));
          return 'OK';
        }
        case 'm': {
          const [a, l] = p.slice(1).split(',');
          const len = Number(hexField(l, 8));
          const { data } = s.readMem(hexField(a), Math.min(len, 0x10000));
          return data.length === 0 && len > 0 ? 'E14' : toHex(data);
        }
        case 'M': {
          const colon = p.indexOf(':');
          if (colon < 0) return 'E01';
          const [a] = p.slice(1, colon).split(',');
          return s.writeMem(hexField(a), fromHex(p.slice(colon + 1))) === undefined ? 'OK' : 'E14';
        }
        case 'X': {
          const colon = p.indexOf(':');
          if (colon < 0) return 'E01';
          const [a, l] = p.slice(1, colon).split(',');
          const bytes = Uint8Array.from(p.slice(colon + 1), (c) => c.charCodeAt(0));
          if (BigInt(bytes.length) !== hexField(l, 8)) return 'E01';
          if (bytes.length === 0) return 'OK'; // GDB probes X support with a zero length
          return s.writeMem(hexField(a), bytes) === undefined ? 'OK' : 'E14';
        }
        case 'c':
        case 'C':
          return await this.resume('c', p);
        case 's':
        case 'S':
          return await this.resume('s', p);
        case 'Z':
        case 'z':
          return this.breakpoint(p);
        case 'H':
          return this.threads.select(p);
        case 'T':
          return this.threads.alive(p);
        case 'k':
          this.ended = { kind: 'kill' };
          return null;
        case 'D':
          this.ended = { kind: 'detach' };
          return 'OK';
        case 'q':
        case 'Q':
          return await this.query(p);
        case 'v':
          return await this.vPacket(p);
        default:
          return '';
      }
    } catch (e) {
      if (e instanceof Error && /bad hex|Cannot convert|SyntaxError/.test(e.message + e.name)) return 'E01';
      throw e;
    }
  }

  private async query(p: string): Promise<string> {
    if (p.startsWith('qSupported')) {
      return 'PacketSize=4000;qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+;vContSupported+';
    }
    if (p === 'QStartNoAckMode') {
      this.noAck = true;
      return 'OK';
    }
    if (p.startsWith('qXfer:features:read:')) {
      const m = /^qXfer:features:read:([^:]*):([0-9a-f]+),([0-9a-f]+)$/i.exec(p);
      if (m === null) return 'E00';
      if (m[1] !== 'target.xml') return 'E00';
      const off = parseInt(m[2], 16);
      const len = parseInt(m[3], 16);
      const chunk = TARGET_XML.slice(off, off + len);
      return (off + len >= TARGET_XML.length ? 'l' : 'm') + chunk;
    }
    if (p === 'qAttached') return '1';
    if (p === 'qC') return `QC${threadIdShort(this.s.pe)}`;
    if (p === 'qfThreadInfo') return this.threads.list();
    if (p === 'qsThreadInfo') return 'l';
    if (p.startsWith('qThreadExtraInfo,')) return this.threads.extraInfo(p);
    if (p.startsWith('qSymbol')) return 'OK';
    if (p.startsWith('qRcmd,')) {
      const cmd = new TextDecoder().decode(fromHex(p.slice(6)));
      let out: string;
      try {
        out = await this.dbg.exec(cmd, true);
      } catch (e) {
        if (!(e instanceof CommandError)) throw e;
        out = `error: ${e.message}`;
      }
      if (out === '') return 'OK';
      return toHex(new TextEncoder().encode(out.endsWith('\n') ? out : out + '\n'));
    }
    return '';
  }

  private async vPacket(p: string): Promise<string | null> {
    if (p === 'vCont?') return 'vCont;c;C;s;S';
    if (p.startsWith('vCont;')) {
      // A step action steps its thread alone (the other PEs stay stopped, all-stop); otherwise
      // every PE continues. Signals are ignored.
      const step = this.threads.vContStep(p.slice(6));
      if (step === 'bad') return 'E22';
      if (step !== null) this.threads.stepPe = step;
      return this.resume(step !== null ? 's' : 'c', '');
    }
    if (p.startsWith('vKill')) {
      this.ended = { kind: 'kill' };
      return 'OK';
    }
    return '';
  }

  private async resume(kind: 'c' | 's', p: string): Promise<string> {
    const s = this.s;
    // c ADDR / s ADDR resume at ADDR (C/S carry a signal first: ignored).
    const m = /^[cs]([0-9a-f]+)$/i.exec(p);
    // Hc: the PE to step (the selected one unless GDB named another).
    if (kind === 's') this.threads.beforeStep();
    if (m !== null) s.writeReg(32, hexField(m[1]));
    const stop = kind === 's' ? s.step(1) : await s.cont();
    this.threads.afterStop();
    if (stop.kind === 'exit') this.ended = { kind: 'exit', stop };
    return this.stopReply(stop);
  }

  /** T05 with the reason GDB understands (swbreak, hwbreak, watch/rwatch/awatch), W/X at the end. */
  stopReply(stop: Stop): string {
    switch (stop.kind) {
      // thread: the PE that stopped (a breakpoint or watchpoint selects the PE that hit it).
      case 'step':
        return `T05thread:${threadId(this.s.pe)};`;
      case 'interrupt':
        return `T02thread:${threadId(this.s.pe)};`;
      case 'break':
        return `T05thread:${threadId(this.s.pe)};${stop.bp.type === 'hw' ? 'hwbreak' : 'swbreak'}:;`;
      case 'watch': {
        const w = stop.wp.kind === 'w' ? 'watch' : stop.wp.kind === 'r' ? 'rwatch' : 'awatch';
        return `T05thread:${threadId(this.s.pe)};${w}:${stop.addr.toString(16)};`;
      }
      case 'exit': {
        const r = stop.result;
        // A guest error (lost, unimplemented) reads as SIGABRT; exits carry their status.
        return r.reason === 'error' ? 'X06' : `W${(r.exitCode & 0xff).toString(16).padStart(2, '0')}`;
      }
    }
  }

  private breakpoint(p: string): string {
    const insert = p[0] === 'Z';
    const [type, a, kindOrLen] = p.slice(1).split(',');
    const addr = hexField(a);
    const s = this.s;
    switch (type) {
      case '0':
      case '1': {
        const t = type === '0' ? 'sw' : 'hw';
        if (insert) s.addBreakpoint(addr, t);
        else s.removeBreakpointAt(addr, t);
        return 'OK';
      }
      case '2':
      case '3':
      case '4': {
        const kind: WatchKind = type === '2' ? 'w' : type === '3' ? 'r' : 'rw';
        // A length is at most 8 hex digits (GDB asks for 1..8 bytes; larger areas are split):
        // a longer field is rejected here rather than stored and trusted at every access.
        const len = Number(hexField(kindOrLen, 8));
        if (!(len > 0)) return 'E01';
        if (insert) s.addWatchpoint(addr, len, kind);
        else s.removeWatchpointAt(addr, len, kind);
        return 'OK';
      }
      default:
        return '';
    }
  }

  // ---- registers ----
  private readReg(n: number): string {
    const s = this.s;
    const c = s.cpu;
    if (n <= REG_PC) return leHex(s.readReg(n), 8);
    if (n >= REG_SYS0) return leHex(readSysreg(c, GDB_SYSREGS[n - REG_SYS0]), 8); // gdb-sysregs.ts
    if (n === REG_CPSR) return leHex(BigInt(s.readCpsr()), 4);
    if (n === REG_FPSR) return leHex(BigInt(c.fpsr >>> 0), 4);
    if (n === REG_FPCR) return leHex(BigInt(c.fpcr >>> 0), 4);
    const v = n - REG_V0;
    let q = 0n;
    for (let w = 3; w >= 0; w--) q = (q << 32n) | BigInt(c.vr[4 * v + w] >>> 0);
    return leHex(q, 16);
  }
  private writeReg(n: number, hex: string): void {
    if (hex.length !== 2 * regSize(n)) throw new Error('bad hex length');
    const s = this.s;
    const c = s.cpu;
    const v = fromLeHex(hex);
    if (n <= REG_PC) s.writeReg(n, v & MASK64);
    else if (n === REG_CPSR) s.writeCpsr(Number(v));
    else if (n === REG_FPSR) c.fpsr = Number(v) | 0;
    else if (n === REG_FPCR) c.fpcr = Number(v) | 0;
    else {
      const r = n - REG_V0;
      for (let w = 0; w < 4; w++) c.vr[4 * r + w] = Number((v >> BigInt(32 * w)) & 0xffffffffn) | 0;
    }
  }
  private readAllRegs(): string {
    let out = '';
    for (let n = 0; n < NUM_REGS; n++) out += this.readReg(n);
    return out;
  }
  private writeAllRegs(hex: string): void {
    let off = 0;
    for (let n = 0; n < NUM_REGS && off < hex.length; n++) {
      const len = 2 * regSize(n);
      this.writeReg(n, hex.slice(off, off + len));
      off += len;
    }
  }
}

export interface GdbServer {
  /** The port actually bound (useful with port 0). */
  port: number;
  /** Resolves when GDB detaches, kills, disconnects, or the guest exits. */
  done: Promise<GdbEnd>;
  close(): void;
}

/**
 * Listen on 127.0.0.1:port for one GDB connection and serve it. `log` gets one-line notices.
 */
export async function serveGdb(
  s: Session,
  port: number,
  log: (msg: string) => void = () => {},
  /** Awaited before the first packet is served (--gdb-no-wait: stop the running guest; QEMU's -s without -S). */
  onConnect?: () => Promise<void>,
): Promise<GdbServer> {
  const stub = new GdbStub(s);
  await stub.init();
  const server = net.createServer();
  let resolveDone!: (e: GdbEnd) => void;
  const done = new Promise<GdbEnd>((res) => (resolveDone = res));
  let busy = false;
  server.on('connection', (sock) => {
    if (busy) {
      // One debugger at a time.
      sock.destroy();
      return;
    }
    busy = true;
    log(`GDB connected from ${sock.remoteAddress}:${sock.remotePort}`);
    sock.setNoDelay(true);
    sock.setEncoding('latin1');
    const parser = new RspParser();
    let chain: Promise<void> = onConnect !== undefined ? onConnect() : Promise.resolve();
    let lastReply = '';
    const send = (payload: string): void => {
      lastReply = encodePacket(payload);
      sock.write(lastReply, 'latin1');
    };
    const finish = (e: GdbEnd): void => {
      server.close();
      resolveDone(e);
    };
    sock.on('data', (chunk: string) => {
      for (const ev of parser.feed(chunk)) {
        if (ev.type === 'interrupt') stub.interrupt();
        else if (ev.type === 'nack') {
          if (lastReply !== '') sock.write(lastReply, 'latin1');
        } else if (ev.type === 'bad') {
          if (stub.ackMode) sock.write('-');
        } else if (ev.type === 'packet') {
          if (stub.ackMode) sock.write('+');
          chain = chain.then(async () => {
            if (stub.ended !== null && stub.ended.kind !== 'exit') return;
            const reply = await stub.handle(ev.data);
            if (reply !== null && !sock.destroyed) send(reply);
            if (stub.ended !== null) {
              const e = stub.ended;
              if (e.kind === 'exit') {
                finish(e);
              } else {
                sock.end();
                finish(e);
              }
            }
          });
          chain.catch((err: unknown) => {
            log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
            sock.destroy();
            finish({ kind: 'kill' });
          });
        }
      }
    });
    sock.on('close', () => {
      // A vanished GDB is a detach: stop a run in progress, then the guest goes on (once the
      // packet being served has finished, so that two runs never overlap).
      if (stub.ended === null) s.interruptRequested = true;
      void chain.then(
        () => finish(stub.ended ?? { kind: 'detach' }),
        () => finish(stub.ended ?? { kind: 'detach' }),
      );
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(port, '127.0.0.1', () => res());
  });
  const addr = server.address() as net.AddressInfo;
  return {
    port: addr.port,
    done,
    close: () => server.close(),
  };
}
