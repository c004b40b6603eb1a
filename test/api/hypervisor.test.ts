// The hypervisor from the API (src/api/hypervisor.ts): VMs created from code, a device written in
// JavaScript whose register accesses are the VM's stage-2 data-abort exits, the exit hook, and the
// statistics as plain data, identically under both engines.
import { describe, it, expect } from 'vitest';
import { Hypervisor, ApiError, type VmExit } from '../../src/api/index.js';

const OFF = `
  movz x0, #0x0008
  movk x0, #0x8400, lsl #16
  hvc #0`;

// The guest: writes 1..5 to the device's register 0x10 (32-bit), then reads register 0x14 back into x7 (64-bit: two word exits).
const GUEST = `_start:
  movz x1, #0x0a80, lsl #16
  mov w2, #1
again:
  str w2, [x1, #0x10]
  add w2, w2, #1
  cmp w2, #6
  b.ne again
  ldr x7, [x1, #0x14]
  str x7, [x1, #0x20]
${OFF}`;

describe('Hypervisor API', () => {
  for (const engine of ['interp', 'jit'] as const) {
    it(`runs VMs with a JavaScript device handling their exits (${engine})`, async () => {
      const hv = new Hypervisor({ vms: [{ name: 'a', ramSize: 4 << 20 }, { name: 'b', ramSize: 4 << 20 }], engine });
      const writes: [string, number, number, number][] = [];
      let sum = 0;
      hv.addDevice('a', {
        name: 'adder',
        ipa: 0x0a80_0000,
        size: 0x1000,
        read: (off) => (off === 0x14 ? sum : off === 0x18 ? 0xdead : 0),
        write: (off, size, v) => {
          writes.push(['a', off, size, v]);
          if (off === 0x10) sum += v;
        },
      });
      await hv.assemble('a', GUEST);
      await hv.assemble('b', `_start:\n mov x3, #3\n${OFF}`);
      const exits: VmExit[] = [];
      const h = hv.hookExit((e) => exits.push(e));
      const r = hv.run({ maxInstructions: 1_000_000 });
      expect(r.reason).toBe('done');
      expect(hv.vms.map((v) => v.stop?.kind)).toEqual(['halt', 'halt']);
      // Five 32-bit writes, then the 64-bit store of what the 64-bit load read (sum, 0xdead above it).
      expect(writes).toEqual([
        ['a', 0x10, 4, 1],
        ['a', 0x10, 4, 2],
        ['a', 0x10, 4, 3],
        ['a', 0x10, 4, 4],
        ['a', 0x10, 4, 5],
        ['a', 0x20, 4, 15],
        ['a', 0x24, 4, 0xdead],
      ]);
      const mmio = exits.filter((e) => e.cause.startsWith('mmio'));
      expect(mmio.map((e) => e.cause)).toEqual([...Array(5).fill('mmio-write adder +0x10'), 'mmio-read adder +0x14', 'mmio-write adder +0x20']);
      expect(mmio.every((e) => e.vm === 'a' && e.ec === 0x24)).toBe(true);
      // HPFAR_EL2.FIPA holds IPA[47:12] at bits [43:4] (ARM ARM D17.2.59).
      expect(mmio[0].hpfar).toBe(BigInt(0x0a80_0000 >> 12) << 4n);
      const st = hv.stats();
      expect(JSON.parse(JSON.stringify(st, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)))).toBeTruthy();
      const vms = (st.hyp as { vms: { name: string; exits: { total: number } }[] }).vms;
      expect(vms[0].name).toBe('a');
      h.remove();
      expect(hv.run().instructions).toBe(0);
    });
  }

  it('a throwing device handler is reported in the VM console, not thrown through the CPU', async () => {
    const hv = new Hypervisor({ vms: [{ name: 'a', ramSize: 4 << 20 }] });
    hv.addDevice(0, {
      name: 'bad',
      ipa: 0x0a80_0000,
      size: 0x1000,
      read: () => {
        throw new Error('boom');
      },
      write: () => {},
    });
    await hv.assemble(0, GUEST);
    expect(hv.run({ maxInstructions: 100_000 }).reason).toBe('done');
    expect(hv.vms[0].output).toContain('device bad read threw: boom');
  });

  it('rejects bad configurations and devices', () => {
    expect(() => new Hypervisor({ vms: [] })).toThrow(ApiError);
    expect(() => new Hypervisor(null as unknown as { vms: [] })).toThrow(/expected \{ vms/);
    const hv = new Hypervisor({ vms: [{ name: 'a', ramSize: 4 << 20 }] });
    const dev = { name: 'd', ipa: 0x0a80_0000, size: 0x1000, read: () => 0, write: () => {} };
    expect(() => hv.addDevice('zz', dev)).toThrow(/VM zz: not one of a/);
    expect(() => hv.addDevice(0, { ...dev, ipa: 0x0a80_0010 })).toThrow(/whole 4 KiB pages/);
    expect(() => hv.addDevice(0, { ...dev, ipa: 0x4000_0000 })).toThrow(/overlaps a's RAM/);
    expect(() => hv.addDevice(0, { ...dev, ipa: 0x0900_0000 })).toThrow(/overlaps another device/);
    expect(() => hv.loadElf(0, new Uint8Array(4))).toThrow(/not an ELF/);
  });
});
