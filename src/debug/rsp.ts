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

/**
 * Largest packet body accepted. We advertise PacketSize=4000 (hex: 16 KiB) in qSupported; GDB
 * never sends more, so anything longer is garbage and is dropped rather than buffered.
 */
export const MAX_PACKET = 0x4000 + 64;

/**
 * Incremental parser of the byte stream from GDB. Linear in the input: a partial packet is kept
 * with the position already scanned, so a packet arriving a byte at a time is not rescanned, and a
 * body longer than MAX_PACKET is discarded (reported as 'bad': the receiver answers '-').
 */
export class RspParser {
  /** The packet being received ('$' seen), without the '$'; null between packets. */
  private body: string[] | null = null;
  private bodyLen = 0;
  private overflow = false;
  /** Checksum characters after '#' (0..2), collected here. */
  private cs: string | null = null;

  /** Feed received bytes (latin1); returns the complete events they finish. */
  feed(chunk: string): RspEvent[] {
    const out: RspEvent[] = [];
    let k = 0;
    while (k < chunk.length) {
      if (this.body === null) {
        const ch = chunk[k++];
        if (ch === '+') out.push({ type: 'ack' });
        else if (ch === '-') out.push({ type: 'nack' });
        else if (ch === '\x03') out.push({ type: 'interrupt' });
        else if (ch === '$') {
          this.body = [];
          this.bodyLen = 0;
          this.overflow = false;
          this.cs = null;
        }
        // Anything else is noise between packets (e.g. a stray newline): skipped.
        continue;
      }
      if (this.cs === null) {
        // Senders escape '#' inside a payload, so the first '#' ends the body.
        const hash = chunk.indexOf('#', k);
        const piece = chunk.slice(k, hash < 0 ? chunk.length : hash);
        if (!this.overflow) {
          if (this.bodyLen + piece.length > MAX_PACKET) {
            this.overflow = true;
            this.body = [];
          } else this.body.push(piece);
          this.bodyLen += piece.length;
        }
        if (hash < 0) break;
        k = hash + 1;
        this.cs = '';
        continue;
      }
      const need = 2 - this.cs.length;
      this.cs += chunk.slice(k, k + need);
      k += need;
      if (this.cs.length < 2) break;
      const body = this.body.join('');
      const cs = this.cs;
      const overflow = this.overflow;
      this.body = null;
      this.cs = null;
      if (overflow) {
        out.push({ type: 'bad', data: '' });
        continue;
      }
      const ok = /^[0-9a-fA-F]{2}$/.test(cs) && parseInt(cs, 16) === checksum(body);
      out.push(ok ? { type: 'packet', data: unescapeBinary(body) } : { type: 'bad', data: body });
    }
    return out;
  }
}

/** A hex number field of a packet (address, length): 1 to `digits` hex digits, else 'bad hex'. */
export function hexField(s: string | undefined, digits = 16): bigint {
  if (s === undefined || s.length === 0 || s.length > digits || !/^[0-9a-fA-F]+$/.test(s)) throw new Error(`bad hex '${(s ?? '').slice(0, 20)}'`);
  return BigInt('0x' + s);
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
