// A machine's state as data, by walking its objects: every field of every part (CPU registers
// and system registers, FP/SIMD, timers, MMU and TLB model with statistics, GIC, UART, RTC,
// DMA engine, virtio transports and queues, SMMU...) except those named in SKIP, which are
// decoded-code and host-side caches (rebuilt on demand), the RAM (saved apart, page by page),
// and wiring (callbacks, back references to the owner). Restoring writes the values back into
// the objects of a machine built with the same configuration, in place, so that every
// reference the hot paths hold (typed arrays, device objects) stays valid.
//
// Walking generically rather than writing save/restore by hand for each of ~40 classes means a
// field added to a device is saved without anyone remembering to: the snapshot test (a run
// continued from a restored snapshot gives the same counts as the original) is the check.
import { ApiError } from './errors.js';

/** Fields that are caches, wiring or host resources, by class name (or '*' for any class). */
const SKIP: Record<string, ReadonlySet<string>> = {
  '*': new Set(['onOutput', 'onLog', 'onUnknown', 'onIrq', 'onSchedule', 'onLines', 'onSwitch', 'onCodeDropped', 'onBlockDecoded']),
  // The board: the streaming UTF-8 decoder of the console holds at most a partial character.
  Machine: new Set(['decoder']),
  // RAM is saved page by page (snapshot.ts); the region table and page map are wiring.
  Bus: new Set(['ram', 'u8', 'i32', 'dv', 'devPages']),
  // Decoded code and the JIT (decoded again on demand: Cpu.forgetDecodedCode), views of RAM, the
  // engine choice (a snapshot restores into either), the hooks of the API and debugger, and
  // device events (re-armed by their devices). The fast translation cache and the code-page map
  // ARE saved: which accesses reach the TLB model's slow path depends on them, so dropping
  // them would change the TLB statistics of the continued run.
  Cpu: new Set([
    'ramI16', 'ram32', 'ramU8', 'ramDv', 'bus', 'decoder', 'blocks', 'bcPa', 'bcBlock', 'pageBlocks', 'jit', 'walkOnlyMmu', 'engine',
    'tracer', 'watch', 'excObservers', 'deviceEvents', 'idRegs', 'tr', 'qScratch',
  ]),
  // Smp's PE list and its hooks are wiring; its state (current PE, quantum left...) is saved.
  Smp: new Set(['hooks']),
  // A host file descriptor is the host's, not the machine's.
  VirtioBlk: new Set(['fd', 'path']),
};

/** Values never saved: host objects with no machine state. */
const OPAQUE = new Set(['TextDecoder', 'TextEncoder', 'Worker', 'Promise', 'WeakMap', 'WeakSet', 'AbortController', 'AbortSignal', 'FileHandle', 'EventEmitter']);

type Node =
  | number
  | string
  | boolean
  | null
  | { $n: string }
  | { $u: 1 }
  | { $b: string }
  | { $t: string; d: string }
  | { $a: Node[]; id: number }
  | { $m: [Node, Node][]; id: number }
  | { $s: Node[] }
  | { $o: string; id: number; f: Record<string, Node> }
  | { $r: number };

export type StateTree = Node;

const TYPED: Record<string, new (b: ArrayBuffer) => ArrayBufferView> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
};

function skipped(ctor: string, key: string): boolean {
  return SKIP['*'].has(key) || (SKIP[ctor]?.has(key) ?? false);
}

function ctorName(v: object): string {
  return (v.constructor as { name?: string } | undefined)?.name ?? 'Object';
}

/** Encode the state reachable from `root` (a JSON-compatible tree). */
export function saveState(root: object): StateTree {
  const ids = new Map<object, number>();
  const enc = (v: unknown): Node | undefined => {
    switch (typeof v) {
      case 'number':
        return Number.isFinite(v) && !Object.is(v, -0) ? v : { $n: Object.is(v, -0) ? '-0' : String(v) };
      case 'string':
      case 'boolean':
        return v;
      case 'undefined':
        return { $u: 1 };
      case 'bigint':
        return { $b: v.toString() };
      case 'function':
      case 'symbol':
        return undefined;
    }
    if (v === null) return null;
    const o = v as object;
    const seen = ids.get(o);
    if (seen !== undefined) return { $r: seen };
    if (o instanceof ArrayBuffer || o instanceof DataView) return undefined;
    if (ArrayBuffer.isView(o)) {
      const name = ctorName(o);
      if (TYPED[name] === undefined) return undefined;
      return { $t: name, d: Buffer.from(o.buffer, o.byteOffset, o.byteLength).toString('base64') };
    }
    const name = ctorName(o);
    if (OPAQUE.has(name)) return undefined;
    const id = ids.size;
    ids.set(o, id);
    if (Array.isArray(o)) return { $a: o.map((x) => enc(x) ?? { $u: 1 }), id };
    if (o instanceof Map) {
      const out: [Node, Node][] = [];
      for (const [k, x] of o) {
        const ek = enc(k);
        const ex = enc(x);
        if (ek !== undefined && ex !== undefined) out.push([ek, ex]);
      }
      return { $m: out, id };
    }
    if (o instanceof Set) return { $s: [...o].map((x) => enc(x)).filter((x): x is Node => x !== undefined) };
    const f: Record<string, Node> = {};
    for (const k of Object.keys(o)) {
      if (skipped(name, k)) continue;
      const x = enc((o as Record<string, unknown>)[k]);
      if (x !== undefined) f[k] = x;
    }
    return { $o: name, id, f };
  };
  return enc(root)!;
}

/**
 * Write `tree` back into `root` (a machine built with the same configuration). Objects are
 * updated in place; plain objects and arrays that did not exist are created; a class instance
 * that does not exist is made from an instance of the same class found in the live machine.
 */
export function restoreState(root: object, tree: StateTree): void {
  // Prototypes of every class in the live machine, to recreate instances that exist only in the snapshot.
  const protos = new Map<string, object>();
  const visit = new Set<object>();
  const collect = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || visit.has(v)) return;
    visit.add(v);
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return;
    const name = ctorName(v);
    if (!protos.has(name)) protos.set(name, Object.getPrototypeOf(v) as object);
    if (v instanceof Map) for (const x of v.values()) collect(x);
    else if (Array.isArray(v) || v instanceof Set) for (const x of v) collect(x);
    else for (const k of Object.keys(v)) collect((v as Record<string, unknown>)[k]);
  };
  collect(root);
  const byId = new Map<number, unknown>();
  const dec = (n: Node, live: unknown, path: string): unknown => {
    if (n === null || typeof n !== 'object') return n;
    if ('$n' in n) return Number(n.$n);
    if ('$u' in n) return undefined;
    if ('$b' in n) return BigInt(n.$b);
    if ('$r' in n) {
      if (!byId.has(n.$r)) throw new ApiError(`snapshot: ${path} refers to object ${n.$r}, not seen before (corrupt snapshot)`);
      return byId.get(n.$r);
    }
    if ('$t' in n) {
      const T = TYPED[n.$t];
      if (T === undefined) throw new ApiError(`snapshot: ${path}: unknown array type ${n.$t}`);
      const bytes = Buffer.from(n.d, 'base64');
      if (live !== null && typeof live === 'object' && ArrayBuffer.isView(live) && ctorName(live) === n.$t && live.byteLength === bytes.length) {
        new Uint8Array(live.buffer, live.byteOffset, live.byteLength).set(bytes);
        return live;
      }
      const buf = new ArrayBuffer(bytes.length);
      new Uint8Array(buf).set(bytes);
      return new T(buf);
    }
    if ('$s' in n) {
      const s = live instanceof Set ? live : new Set();
      s.clear();
      for (const x of n.$s) s.add(dec(x, undefined, path));
      return s;
    }
    if ('$a' in n) {
      const a: unknown[] = Array.isArray(live) ? live : [];
      byId.set(n.id, a);
      const items = n.$a;
      a.length = items.length;
      for (let i = 0; i < items.length; i++) a[i] = dec(items[i], a[i], `${path}[${i}]`);
      return a;
    }
    if ('$m' in n) {
      const m: Map<unknown, unknown> = live instanceof Map ? live : new Map();
      byId.set(n.id, m);
      const keys = n.$m.map(([k]) => dec(k, undefined, path));
      const keep = new Set(keys);
      for (const k of [...m.keys()]) if (!keep.has(k)) m.delete(k);
      // Re-inserted in the saved order, so iteration order (which some models depend on) matches.
      const old = new Map(m);
      m.clear();
      n.$m.forEach(([, x], i) => m.set(keys[i], dec(x, old.get(keys[i]), `${path}{${String(keys[i])}}`)));
      return m;
    }
    if ('$o' in n) {
      let o: Record<string, unknown>;
      if (live !== null && typeof live === 'object' && ctorName(live) === n.$o) o = live as Record<string, unknown>;
      else if (n.$o === 'Object') o = {};
      else {
        const p = protos.get(n.$o);
        if (p === undefined) throw new ApiError(`snapshot: ${path} is a ${n.$o}, which this machine does not have (a snapshot of another configuration?)`);
        o = Object.create(p) as Record<string, unknown>;
      }
      byId.set(n.id, o);
      for (const [k, x] of Object.entries(n.f)) {
        const v = dec(x, o[k], `${path}.${k}`);
        if (o[k] !== v) o[k] = v;
      }
      return o;
    }
    throw new ApiError(`snapshot: ${path}: unreadable value (corrupt snapshot)`);
  };
  dec(tree, root, 'machine');
}
