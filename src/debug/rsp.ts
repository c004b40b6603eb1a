// The GDB Remote Serial Protocol packet layer: framing ($payload#cs), checksums, the binary
// escape (} then byte ^ 0x20), acknowledgements and the out-of-band interrupt byte (0x03).
// Payloads are latin1 strings: one char per byte, so binary X packets survive unchanged.

export type RspEvent =
  | { type: 'packet'; data: string }
  | { type: 'ack' }
  | { type: 'nack' }
  | { type: 'interrupt' }
  /** A packet whose checksum did not match: the receiver answers '-' and GDB resends. */
  | { type: 'bad'; data: string };

/** Modulo-256 sum of the payload bytes (as sent, i.e. after escaping). */
export function checksum(s: string): number {
  let c = 0;
  for (let k = 0; k < s.length; k++) c = (c + s.charCodeAt(k)) & 0xff;
  return c;
}

/** Escape '$', '#', '}' and '*' (a '*' would start run-length encoding) for sending. */
export function escapeBinary(s: string): string {
  return s.replace(/[$#}*]/g, (ch) => '}' + String.fromCharCode(ch.charCodeAt(0) ^ 0x20));
}

/** Undo the escape of a received payload (X packets, and any escaped byte). */
export function unescapeBinary(s: string): string {
  if (!s.includes('}')) return s;
  let out = '';
  for (let k = 0; k < s.length; k++) {
    const ch = s[k];
    if (ch === '}' && k + 1 < s.length) {
      out += String.fromCharCode(s.charCodeAt(++k) ^ 0x20);
    } else out += ch;
  }
  return out;
}

/** Frame a reply: `$` escaped payload `#` two hex digits of checksum. */
export function encodePacket(payload: string): string {
  const body = escapeBinary(payload);
  return `$${body}#${checksum(body).toString(16).padStart(2, '0')}`;
}

/** Incremental parser of the byte stream from GDB. */
export class RspParser {
  private buf = '';

  /** Feed received bytes (latin1); returns the complete events they finish. */
  feed(chunk: string): RspEvent[] {
    this.buf += chunk;
    const out: RspEvent[] = [];
    for (;;) {
      if (this.buf.length === 0) break;
      const ch = this.buf[0];
      if (ch === '+') {
        out.push({ type: 'ack' });
        this.buf = this.buf.slice(1);
        continue;
      }
      if (ch === '-') {
        out.push({ type: 'nack' });
        this.buf = this.buf.slice(1);
        continue;
      }
      if (ch === '\x03') {
        out.push({ type: 'interrupt' });
        this.buf = this.buf.slice(1);
        continue;
      }
      if (ch !== '$') {
        // Noise between packets (e.g. a stray newline): skip it.
        this.buf = this.buf.slice(1);
        continue;
      }
      // Find the terminating '#' that is not escaped: '#' never appears escaped-unescaped in a
      // payload because senders escape it, so the first '#' ends the packet.
      const end = this.buf.indexOf('#');
      if (end < 0 || end + 2 >= this.buf.length) break; // incomplete
      const body = this.buf.slice(1, end);
      const cs = this.buf.slice(end + 1, end + 3);
      this.buf = this.buf.slice(end + 3);
      const ok = /^[0-9a-fA-F]{2}$/.test(cs) && parseInt(cs, 16) === checksum(body);
      out.push(ok ? { type: 'packet', data: unescapeBinary(body) } : { type: 'bad', data: body });
    }
    return out;
  }
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new Error(`bad hex '${s.slice(0, 20)}'`);
  const out = new Uint8Array(s.length / 2);
  for (let k = 0; k < out.length; k++) out[k] = parseInt(s.slice(2 * k, 2 * k + 2), 16);
  return out;
}

/** A little-endian register value of `bytes` bytes as target-order hex. */
export function leHex(v: bigint, bytes: number): string {
  let s = '';
  for (let k = 0; k < bytes; k++) s += Number((v >> BigInt(8 * k)) & 0xffn).toString(16).padStart(2, '0');
  return s;
}

export function fromLeHex(s: string): bigint {
  const b = fromHex(s);
  let v = 0n;
  for (let k = b.length - 1; k >= 0; k--) v = (v << 8n) | BigInt(b[k]);
  return v;
}
