// Event records (IHI 0070 7.3 "Event records"): 32 bytes, built as eight 32-bit words.
// Word 0: EventType[7:0], SSV[11], SubstreamID[31:12]; word 1: StreamID. Word 2 holds STAG[15:0]
// and Stall[31]; word 3: PnU[1], InD[2], RnW[3], S2[7], CLASS[9:8], TTRnW[12] (bits 97..108 of the
// record). Words 4-5: InputAddr[63:0]. Words 6-7: IPA[51:12] (translation faults) or
// FetchAddr[51:3] (F_STE_FETCH, F_CD_FETCH, F_WALK_EABT).

export const F_UUT = 0x01;
export const C_BAD_STREAMID = 0x02;
export const F_STE_FETCH = 0x03;
export const C_BAD_STE = 0x04;
export const F_STREAM_DISABLED = 0x06;
export const C_BAD_SUBSTREAMID = 0x08;
export const F_CD_FETCH = 0x09;
export const C_BAD_CD = 0x0a;
export const F_WALK_EABT = 0x0b;
export const F_TRANSLATION = 0x10;
export const F_ADDR_SIZE = 0x11;
export const F_ACCESS = 0x12;
export const F_PERMISSION = 0x13;

/** CLASS field: the fault happened fetching a CD, walking translation tables, or on the input. */
export const CLASS_CD = 0;
export const CLASS_TT = 1;
export const CLASS_IN = 2;

export const EVENT_NAMES: Record<number, string> = {
  [F_UUT]: 'F_UUT',
  [C_BAD_STREAMID]: 'C_BAD_STREAMID',
  [F_STE_FETCH]: 'F_STE_FETCH',
  [C_BAD_STE]: 'C_BAD_STE',
  [F_STREAM_DISABLED]: 'F_STREAM_DISABLED',
  [C_BAD_SUBSTREAMID]: 'C_BAD_SUBSTREAMID',
  [F_CD_FETCH]: 'F_CD_FETCH',
  [C_BAD_CD]: 'C_BAD_CD',
  [F_WALK_EABT]: 'F_WALK_EABT',
  [F_TRANSLATION]: 'F_TRANSLATION',
  [F_ADDR_SIZE]: 'F_ADDR_SIZE',
  [F_ACCESS]: 'F_ACCESS',
  [F_PERMISSION]: 'F_PERMISSION',
};

/** The fields of one event; unset fields are zero. */
export interface EventFields {
  type: number;
  sid: number;
  /** Transaction attributes: write (RnW=0), instruction (InD=1), privileged (PnU=1). */
  write?: boolean;
  instr?: boolean;
  priv?: boolean;
  /** The fault is at stage 2 (S2=1). */
  s2?: boolean;
  cls?: number;
  /** The faulting access was a translation-table read (TTRnW=1 with CLASS=TT). */
  ttRead?: boolean;
  inputAddr?: number;
  /** IPA[51:12] for stage-2 translation faults. */
  ipa?: number;
  /** FetchAddr[51:3] for fetch aborts. */
  fetchAddr?: number;
}

function lo32(x: number): number {
  return x % 4294967296 | 0;
}
function hi32(x: number): number {
  return Math.floor(x / 4294967296) | 0;
}

/** Encode an event record into 8 words (unsigned-agnostic int32s). */
export function encodeEvent(ev: EventFields, out: Int32Array): void {
  out.fill(0);
  out[0] = ev.type & 0xff;
  out[1] = ev.sid | 0;
  // Bits 97 PnU, 98 InD, 99 RnW (1 = read), 103 S2, 105:104 CLASS, 108 TTRnW: word 3.
  const translation = ev.type >= F_TRANSLATION || ev.type === F_WALK_EABT;
  if (translation) {
    out[3] =
      (ev.priv ? 1 << 1 : 0) |
      (ev.instr ? 1 << 2 : 0) |
      (ev.write ? 0 : 1 << 3) |
      (ev.s2 ? 1 << 7 : 0) |
      ((ev.cls ?? 0) << 8) |
      (ev.ttRead ? 1 << 12 : 0);
    const ia = ev.inputAddr ?? 0;
    out[4] = lo32(ia);
    out[5] = hi32(ia);
  }
  if (ev.fetchAddr !== undefined) {
    const fa = ev.fetchAddr - (ev.fetchAddr % 8);
    out[6] = lo32(fa);
    out[7] = hi32(fa) & 0xfffff;
  } else if (ev.ipa !== undefined && ev.s2) {
    const ipa = ev.ipa - (ev.ipa % 4096);
    out[6] = lo32(ipa);
    out[7] = hi32(ipa) & 0xfffff;
  }
}

/** Decode the fields of a record read back as 8 words (tests, debugger). */
export function decodeEvent(w: ArrayLike<number>): Required<Omit<EventFields, 'fetchAddr' | 'ipa'>> & { addr: number; name: string } {
  const type = w[0] & 0xff;
  return {
    type,
    name: EVENT_NAMES[type] ?? `0x${type.toString(16)}`,
    sid: w[1] >>> 0,
    priv: ((w[3] >>> 1) & 1) === 1,
    instr: ((w[3] >>> 2) & 1) === 1,
    write: ((w[3] >>> 3) & 1) === 0,
    s2: ((w[3] >>> 7) & 1) === 1,
    cls: (w[3] >>> 8) & 3,
    ttRead: ((w[3] >>> 12) & 1) === 1,
    inputAddr: (w[5] >>> 0) * 4294967296 + (w[4] >>> 0),
    addr: (w[7] & 0xfffff) * 4294967296 + (w[6] >>> 0),
  };
}
