// The sequence a driver (Linux 6.1's arm-smmu-v3) goes through at probe, as a fast unit test:
// disable and wait for CR0ACK, GBPA with Update, CR1/CR2, a two-level stream table (SPLIT=8) with
// L1 descriptors filled on demand, CMDQ enable, CFGI_ALL + TLBI_EL2_ALL + TLBI_NSNH_ALL + CMD_SYNC
// completed by MSI into the queue slot, EVENTQ enable, IRQ_CTRL with IRQ_CTRLACK, SMMUEN. Then a
// stream's STE is installed (CFGI_STE + PREFETCH_CONFIG + SYNC) and a device's DMA translates.
import { describe, expect, it } from 'vitest';
import { Bus } from '../../src/devices/bus.js';
import { Smmu } from '../../src/smmu/smmu.js';
import * as R from '../../src/smmu/regs.js';
import * as C from '../../src/smmu/commands.js';
import { s2Leaf, TableBuilder } from '../../src/mmu/builder.js';
import { steWords } from './helpers.js';

const RAM = 0x4000_0000;
const L1 = RAM + 0x1_0000;
const CMDQ = RAM + 0x2_0000;
const EVTQ = RAM + 0x3_0000;
const L2 = RAM + 0x4_0000;

describe('driver probe sequence', () => {
  it('brings the SMMU up and translates a stream installed afterwards', () => {
    const bus = new Bus(RAM, 4 * 1024 * 1024);
    const irqs: string[] = [];
    const smmu = new Smmu(bus, { onIrq: (l, v) => v && irqs.push(l) });
    const w32 = (o: number, v: number) => smmu.write(o, 4, v >>> 0);
    const w64 = (o: number, v: number) => {
      w32(o, v % 2 ** 32);
      w32(o + 4, Math.floor(v / 2 ** 32));
    };
    // Probe: IDR reads.
    const idr0 = smmu.read(R.IDR0, 4);
    expect((idr0 >>> 27) & 3).toBe(1); // two-level stream table
    const sidBits = smmu.read(R.IDR1, 4) & 63;
    const cmdqs = (smmu.read(R.IDR1, 4) >>> 21) & 31;
    const evtqs = (smmu.read(R.IDR1, 4) >>> 16) & 31;
    // Reset: disable, wait for the acknowledgement; GBPA abort with Update, wait for Update=0.
    w32(R.CR0, 0);
    expect(smmu.read(R.CR0ACK, 4)).toBe(0);
    w32(R.GBPA, R.GBPA_ABORT | R.GBPA_UPDATE);
    expect(smmu.read(R.GBPA, 4) & R.GBPA_UPDATE).toBe(0);
    w32(R.CR1, 0xd75);
    w32(R.CR2, 6); // PTM, RECINVSID
    // Stream table: 2-level, SPLIT 8, all L1 descriptors invalid (Span 0).
    w64(R.STRTAB_BASE, L1 + 2 ** 62);
    w32(R.STRTAB_BASE_CFG, (1 << 16) | (8 << 6) | sidBits);
    // Command queue.
    w64(R.CMDQ_BASE, CMDQ | cmdqs);
    w32(R.CMDQ_PROD, 0);
    w32(R.CMDQ_CONS, 0);
    w32(R.CR0, R.CR0_CMDQEN);
    expect(smmu.read(R.CR0ACK, 4)).toBe(R.CR0_CMDQEN);
    let prod = 0;
    const issue = (...cmds: number[][]) => {
      for (const c of cmds) {
        for (let k = 0; k < 4; k++) bus.write(CMDQ + (prod % 2 ** cmdqs) * 16 + 4 * k, 4, (c[k] ?? 0) >>> 0);
        prod = (prod + 1) % 2 ** (cmdqs + 1);
      }
      w32(R.CMDQ_PROD, prod);
    };
    // CFGI_ALL, TLBI_EL2_ALL, TLBI_NSNH_ALL, then a CMD_SYNC whose MSI clears its own first word.
    issue([C.CMD_CFGI_STE_RANGE, 0, 31], [C.CMD_TLBI_EL2_ALL], [C.CMD_TLBI_NSNH_ALL]);
    const syncSlot = CMDQ + (prod % 2 ** cmdqs) * 16;
    issue([C.CMD_SYNC | (C.CS_SIG_IRQ << 12) | (3 << 22), 0, syncSlot, 0]);
    expect(bus.read(syncSlot, 4)).toBe(0);
    expect(smmu.read(R.CMDQ_CONS, 4)).toBe(prod);
    // Event queue.
    w64(R.EVENTQ_BASE, EVTQ | evtqs);
    w32(R.EVENTQ_PROD, 0);
    w32(R.EVENTQ_CONS, 0);
    w32(R.CR0, R.CR0_CMDQEN | R.CR0_EVENTQEN);
    // Interrupts.
    w32(R.IRQ_CTRL, R.IRQ_GERROR | R.IRQ_EVENTQ);
    expect(smmu.read(R.IRQ_CTRLACK, 4)).toBe(R.IRQ_GERROR | R.IRQ_EVENTQ);
    w32(R.CR0, R.CR0_CMDQEN | R.CR0_EVENTQEN | R.CR0_SMMUEN);
    expect(smmu.read(R.CR0ACK, 4)).toBe(R.CR0_CMDQEN | R.CR0_EVENTQEN | R.CR0_SMMUEN);
    // A device with StreamID 0x108 before its STE exists: C_BAD_STREAMID, the event interrupt.
    expect(smmu.translate(0x108, 0x1000, false)).toBe(-1);
    expect(irqs).toEqual(['eventq']);
    expect(bus.read(EVTQ, 4) & 0xff).toBe(0x02);
    w32(R.EVENTQ_CONS, 1);
    // Attach: an L2 table for StreamIDs 0x100-0x1ff (Span 9), a stage-2 STE, CFGI_STE + prefetch + SYNC.
    const b = new TableBuilder(bus, { inputSize: 40, poolBase: RAM + 0x10_0000, startLevel: 1 });
    b.map(0x8000_0000, RAM + 0x20_0000, 0x1000, s2Leaf({}), 3);
    const w = steWords({ config: 0b110, s2: { ttb: b.root, vmid: 1 } });
    for (let k = 0; k < 16; k++) bus.write(L2 + 8 * 64 + 4 * k, 4, w[k] >>> 0);
    bus.write(L1 + 8, 4, (L2 | 9) >>> 0);
    bus.write(L1 + 12, 4, 0);
    issue([C.CMD_CFGI_STE, 0x108, 1], [C.CMD_PREFETCH_CONFIG, 0x108], [C.CMD_SYNC]);
    expect(smmu.translate(0x108, 0x8000_0abc, true)).toBe(RAM + 0x20_0abc);
    expect(smmu.read(R.GERROR, 4)).toBe(0);
    expect(smmu.stats()).toMatchObject({ commands: 7, commandErrors: 0, syncs: 2, events: 1 });
  });
});
