// virtio-mmio v2 + split virtqueue + virtio-blk backed by a host file, driven by a test driver
// through the bus (Virtual I/O Device (VIRTIO) 1.1: 4.2 MMIO, 2.6 split virtqueues, 5.2 block).
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine, VIRT, INTID } from '../../src/machine.js';
import { VIRTIO_MMIO as R, STATUS, VIRTIO_MMIO_MAGIC, INT_USED_BUFFER, INT_CONFIG_CHANGE } from '../../src/devices/virtio/mmio.js';
import {
  VIRTIO_BLK_T_IN,
  VIRTIO_BLK_T_OUT,
  VIRTIO_BLK_T_FLUSH,
  VIRTIO_BLK_T_GET_ID,
  VIRTIO_BLK_S_OK,
  VIRTIO_BLK_S_IOERR,
  VIRTIO_BLK_S_UNSUPP,
  VIRTIO_BLK_F_RO,
  VIRTIO_BLK_F_FLUSH,
  VirtioBlk,
  parseDrive,
} from '../../src/devices/virtio/blk.js';
import { TestDriver } from './virtio-driver.js';
import { isUserError } from '../../src/errors.js';

const RAM = VIRT.RAM;
// Guest RAM layout for the tests: rings at 0x10000.., request header at 0x20000, data at 0x21000, status at 0x30000.
const DESC = RAM + 0x1_0000;
const AVAIL = RAM + 0x1_1000;
const USED = RAM + 0x1_2000;
const HDR = RAM + 0x2_0000;
const DATA = RAM + 0x2_1000;
const STAT = RAM + 0x3_0000;
const SECTORS = 16;

let dir: string;
let disk: string;
let machines: Machine[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-blk-'));
  disk = join(dir, 'disk.img');
  const img = new Uint8Array(SECTORS * 512);
  for (let i = 0; i < img.length; i++) img[i] = (i >> 9) * 16 + (i & 15); // sector number in the high nibble
  writeFileSync(disk, img);
});
afterEach(() => {
  for (const m of machines) m.close();
  machines = [];
  rmSync(dir, { recursive: true, force: true });
});

function board(readonly = false): { m: Machine; d: TestDriver } {
  const m = new Machine({ ramSize: 1 << 20, drives: [{ path: disk, readonly }] });
  machines.push(m);
  return { m, d: new TestDriver(m, VIRT.VIRTIO_MMIO, DESC, AVAIL, USED) };
}

/** A block request header {type, reserved, sector} at HDR. */
function header(m: Machine, type: number, sector: number): void {
  const o = HDR - RAM;
  m.bus.dv.setUint32(o, type, true);
  m.bus.dv.setUint32(o + 4, 0, true);
  m.bus.dv.setUint32(o + 8, sector >>> 0, true);
  m.bus.dv.setUint32(o + 12, Math.floor(sector / 2 ** 32), true);
}
const status = (m: Machine): number => m.bus.u8[STAT - RAM];
const gicPending = (m: Machine, intid: number): boolean => ((m.gic.distributor.read(0x200 + 4 * (intid >> 5), 4) >>> (intid & 31)) & 1) === 1;

describe('virtio-mmio transport (4.2.2)', () => {
  it('identifies a version-2 block device with VERSION_1, ACCESS_PLATFORM, FLUSH and its capacity', () => {
    const { m, d } = board();
    expect(d.rd(R.MagicValue)).toBe(VIRTIO_MMIO_MAGIC);
    expect(d.rd(R.Version)).toBe(2);
    expect(d.rd(R.DeviceID)).toBe(2);
    d.wr(R.DeviceFeaturesSel, 1);
    expect(d.rd(R.DeviceFeatures)).toBe(0b11); // bit 32 VERSION_1, bit 33 ACCESS_PLATFORM
    d.wr(R.DeviceFeaturesSel, 0);
    const lo = d.rd(R.DeviceFeatures);
    expect(lo & (1 << VIRTIO_BLK_F_FLUSH)).not.toBe(0);
    expect(lo & (1 << VIRTIO_BLK_F_RO)).toBe(0);
    // 5.2.4 capacity (le64 at config offset 0), read with 32-bit and byte accesses.
    expect(m.bus.read(VIRT.VIRTIO_MMIO + R.Config, 4)).toBe(SECTORS);
    expect(m.bus.read(VIRT.VIRTIO_MMIO + R.Config + 4, 4)).toBe(0);
    expect(m.bus.read(VIRT.VIRTIO_MMIO + R.Config, 1)).toBe(SECTORS);
    expect(m.bus.read(VIRT.VIRTIO_MMIO + R.Config + 20, 4)).toBe(512); // blk_size
    d.wr(R.QueueSel, 0);
    expect(d.rd(R.QueueNumMax)).toBe(256);
    d.wr(R.QueueSel, 1);
    expect(d.rd(R.QueueNumMax)).toBe(0); // 4.2.3.2: no such queue
    // The other 31 slots answer DeviceID 0 (no device): a driver skips them.
    expect(m.bus.read(VIRT.VIRTIO_MMIO + 0x200 + R.MagicValue, 4)).toBe(VIRTIO_MMIO_MAGIC);
    expect(m.bus.read(VIRT.VIRTIO_MMIO + 0x200 + R.DeviceID, 4)).toBe(0);
  });

  it('FEATURES_OK is refused without VERSION_1 or with a feature the device did not offer (3.1.1)', () => {
    const { d } = board();
    expect(d.init([0, 0]) & STATUS.FEATURES_OK).toBe(0);
    expect(d.init([1 << 31, 1]) & STATUS.FEATURES_OK).toBe(0);
    expect(d.init([0, 1]) & STATUS.FEATURES_OK).not.toBe(0); // VERSION_1 alone is enough
    expect(d.init([0, 3]) & STATUS.DRIVER_OK).not.toBe(0);
  });

  it('behind an IOMMU, FEATURES_OK also needs VIRTIO_F_ACCESS_PLATFORM (6.1: the device may refuse to operate)', () => {
    const { m, d } = board();
    m.setIommu({ translate: (_sid, iova) => iova });
    expect(d.init([0, 1]) & STATUS.FEATURES_OK).toBe(0);
    expect(d.init([0, 3]) & STATUS.DRIVER_OK).not.toBe(0);
  });

  it('QueueNum that is not a power of 2 (2.6) makes the device need a reset; Status 0 resets', () => {
    const { d } = board();
    d.init([0, 3]);
    d.wr(R.QueueReady, 0);
    d.wr(R.QueueNum, 6);
    d.wr(R.QueueReady, 1);
    expect(d.rd(R.QueueReady)).toBe(0);
    expect(d.rd(R.Status) & STATUS.DEVICE_NEEDS_RESET).not.toBe(0);
    expect(d.rd(R.InterruptStatus) & INT_CONFIG_CHANGE).not.toBe(0);
    d.wr(R.Status, 0);
    expect(d.rd(R.Status)).toBe(0);
    expect(d.rd(R.InterruptStatus)).toBe(0);
  });
});

describe('virtio-blk requests (5.2.6)', () => {
  it('IN reads sectors from the file into guest memory; used len = data + status; interrupt', () => {
    const { m, d } = board();
    d.init([0, 3]);
    m.gic.distributor.write(0x100 + 4 * (INTID.VIRTIO_MMIO_BASE >> 5), 4, 1 << (INTID.VIRTIO_MMIO_BASE & 31));
    header(m, VIRTIO_BLK_T_IN, 3);
    m.bus.u8[STAT - RAM] = 0xff;
    const head = d.submit([
      { addr: HDR, len: 16 },
      { addr: DATA, len: 1024, write: true },
      { addr: STAT, len: 1, write: true },
    ]);
    expect(status(m)).toBe(VIRTIO_BLK_S_OK);
    expect(m.bus.u8[DATA - RAM]).toBe(0x30);
    expect(m.bus.u8[DATA - RAM + 512 + 15]).toBe(0x4f);
    expect(d.usedIdx()).toBe(1);
    expect(d.usedElem(0)).toEqual({ id: head, len: 1025 });
    expect(d.rd(R.InterruptStatus)).toBe(INT_USED_BUFFER);
    expect(gicPending(m, INTID.VIRTIO_MMIO_BASE)).toBe(true);
    d.wr(R.InterruptACK, INT_USED_BUFFER);
    expect(d.rd(R.InterruptStatus)).toBe(0);
  });

  it('OUT writes the file only when the guest writes, at the sector given', () => {
    const { m, d } = board();
    d.init([0, 3]);
    const before = readFileSync(disk);
    m.bus.u8.fill(0xab, DATA - RAM, DATA - RAM + 512);
    header(m, VIRTIO_BLK_T_OUT, 5);
    expect(readFileSync(disk).equals(before)).toBe(true);
    d.submit([
      { addr: HDR, len: 16 },
      { addr: DATA, len: 512 },
      { addr: STAT, len: 1, write: true },
    ]);
    expect(status(m)).toBe(VIRTIO_BLK_S_OK);
    const after = readFileSync(disk);
    expect(after.subarray(5 * 512, 6 * 512).every((b) => b === 0xab)).toBe(true);
    expect(after.subarray(0, 5 * 512).equals(before.subarray(0, 5 * 512))).toBe(true);
    expect(after.subarray(6 * 512).equals(before.subarray(6 * 512))).toBe(true);
    expect(d.usedElem(0).len).toBe(1);
    // FLUSH completes OK.
    header(m, VIRTIO_BLK_T_FLUSH, 0);
    d.submit([
      { addr: HDR, len: 16 },
      { addr: STAT, len: 1, write: true },
    ]);
    expect(status(m)).toBe(VIRTIO_BLK_S_OK);
  });

  it('data scattered over several descriptors (as Linux sends it) is one stream, in order', () => {
    const { m, d } = board();
    d.init([0, 3]);
    header(m, VIRTIO_BLK_T_IN, 4);
    const head = d.submit([
      { addr: HDR, len: 16 },
      { addr: DATA + 0x2000, len: 512, write: true },
      { addr: DATA, len: 1024, write: true },
      { addr: DATA + 0x3000, len: 512, write: true },
      { addr: STAT, len: 1, write: true },
    ]);
    expect(status(m)).toBe(VIRTIO_BLK_S_OK);
    const at = (pa: number): number => m.bus.u8[pa - RAM];
    expect([at(DATA + 0x2000), at(DATA), at(DATA + 512), at(DATA + 0x3000)]).toEqual([0x40, 0x50, 0x60, 0x70]);
    expect(d.usedElem(0)).toEqual({ id: head, len: 2049 });
    // And back out: sectors 4..7 written from three pieces, the file gets them in order.
    header(m, VIRTIO_BLK_T_OUT, 8);
    d.submit([
      { addr: HDR, len: 16 },
      { addr: DATA + 0x2000, len: 512 },
      { addr: DATA, len: 1024 },
      { addr: DATA + 0x3000, len: 512 },
      { addr: STAT, len: 1, write: true },
    ]);
    expect(status(m)).toBe(VIRTIO_BLK_S_OK);
    const f = readFileSync(disk);
    expect([f[8 * 512], f[9 * 512], f[10 * 512], f[11 * 512]]).toEqual([0x40, 0x50, 0x60, 0x70]);
  });

  it('a read-only drive offers VIRTIO_BLK_F_RO and refuses OUT with IOERR, leaving the file alone', () => {
    const { m, d } = board(true);
    d.wr(R.DeviceFeaturesSel, 0);
    expect(d.rd(R.DeviceFeatures) & (1 << VIRTIO_BLK_F_RO)).not.toBe(0);
    d.init([1 << VIRTIO_BLK_F_RO, 3]);
    const before = readFileSync(disk);
    m.bus.u8.fill(0xcd, DATA - RAM, DATA - RAM + 512);
    header(m, VIRTIO_BLK_T_OUT, 0);
    d.submit([
      { addr: HDR, len: 16 },
      { addr: DATA, len: 512 },
      { addr: STAT, len: 1, write: true },
    ]);
    expect(status(m)).toBe(VIRTIO_BLK_S_IOERR);
    expect(readFileSync(disk).equals(before)).toBe(true);
    // Reads still work.
    header(m, VIRTIO_BLK_T_IN, 1);
    d.submit([
      { addr: HDR, len: 16 },
      { addr: DATA, len: 512, write: true },
      { addr: STAT, len: 1, write: true },
    ]);
    expect(status(m)).toBe(VIRTIO_BLK_S_OK);
    expect(m.bus.u8[DATA - RAM]).toBe(0x10);
  });

  it('beyond the capacity, a partial sector: IOERR; unknown type: UNSUPP; GET_ID: the ID string', () => {
    const { m, d } = board();
    d.init([0, 3]);
    const req = (type: number, sector: number, len: number): number => {
      header(m, type, sector);
      m.bus.u8[STAT - RAM] = 0xee;
      d.submit([{ addr: HDR, len: 16 }, ...(len > 0 ? [{ addr: DATA, len, write: true }] : []), { addr: STAT, len: 1, write: true }]);
      return status(m);
    };
    expect(req(VIRTIO_BLK_T_IN, SECTORS - 1, 1024)).toBe(VIRTIO_BLK_S_IOERR);
    // 2.6.8.1: len counts bytes written from the start of the writable part; the status byte
    // after 1024 unwritten data bytes does not count.
    expect(d.usedElem(d.usedIdx() - 1).len).toBe(0);
    expect(req(VIRTIO_BLK_T_IN, SECTORS - 1, 512)).toBe(VIRTIO_BLK_S_OK);
    expect(d.usedElem(d.usedIdx() - 1).len).toBe(513);
    expect(req(VIRTIO_BLK_T_IN, 2 ** 40, 512)).toBe(VIRTIO_BLK_S_IOERR);
    expect(req(VIRTIO_BLK_T_IN, 0, 100)).toBe(VIRTIO_BLK_S_IOERR);
    expect(req(99, 0, 0)).toBe(VIRTIO_BLK_S_UNSUPP);
    expect(req(VIRTIO_BLK_T_GET_ID, 0, 20)).toBe(VIRTIO_BLK_S_OK);
    expect(new TextDecoder().decode(m.bus.u8.subarray(DATA - RAM, DATA - RAM + 9))).toBe('a64hv-blk');
  });

  it('a data buffer the IOMMU does not map: the request completes with IOERR, nothing else written', () => {
    const { m, d } = board();
    // Identity for everything but the data page.
    m.setIommu({ translate: (_sid, iova) => (iova >= DATA && iova < DATA + 0x1000 ? -1 : iova) });
    d.init([0, 3]);
    header(m, VIRTIO_BLK_T_IN, 0);
    d.submit([
      { addr: HDR, len: 16 },
      { addr: DATA, len: 512, write: true },
      { addr: STAT, len: 1, write: true },
    ]);
    expect(status(m)).toBe(VIRTIO_BLK_S_IOERR);
    expect(m.bus.u8.subarray(DATA - RAM, DATA - RAM + 512).every((b) => b === 0)).toBe(true);
    expect(m.virtio[0].mmio.port.stats.aborts).toBeGreaterThan(0);
  });

  it('avail.flags NO_INTERRUPT suppresses the used-buffer interrupt (2.6.7)', () => {
    const { m, d } = board();
    d.init([0, 3]);
    m.bus.dv.setUint16(AVAIL - RAM, 1, true);
    header(m, VIRTIO_BLK_T_IN, 0);
    d.submit([
      { addr: HDR, len: 16 },
      { addr: DATA, len: 512, write: true },
      { addr: STAT, len: 1, write: true },
    ]);
    expect(d.usedIdx()).toBe(1);
    expect(d.rd(R.InterruptStatus)).toBe(0);
  });

  it('several chains published before one notify are all served, in order', () => {
    const { m } = board();
    const d = new TestDriver(m, VIRT.VIRTIO_MMIO, DESC, AVAIL, USED, 16);
    d.init([0, 3]);
    header(m, VIRTIO_BLK_T_IN, 2);
    for (let k = 0; k < 3; k++) {
      d.setDesc(3 * k, HDR, 16, 1, 3 * k + 1);
      d.setDesc(3 * k + 1, DATA + 512 * k, 512, 3, 3 * k + 2);
      d.setDesc(3 * k + 2, STAT + k, 1, 2, 0);
      d.publish(3 * k, 0, false);
    }
    d.wr(R.QueueNotify, 0);
    expect(d.usedIdx()).toBe(3);
    expect([0, 1, 2].map((k) => d.usedElem(k).id)).toEqual([0, 3, 6]);
  });
});

describe('bad descriptor chains: DEVICE_NEEDS_RESET, never a hang (2.6.5.3.1, 2.1.2)', () => {
  const broken = (setup: (d: TestDriver, m: Machine) => void): { m: Machine; d: TestDriver } => {
    const { m, d } = board();
    d.init([0, 3]);
    header(m, VIRTIO_BLK_T_IN, 0);
    setup(d, m);
    d.wr(R.QueueNotify, 0);
    expect(d.rd(R.Status) & STATUS.DEVICE_NEEDS_RESET).not.toBe(0);
    expect(d.rd(R.InterruptStatus) & INT_CONFIG_CHANGE).not.toBe(0);
    expect(d.usedIdx()).toBe(0);
    expect(m.virtio[0].mmio.stats.errors).toBe(1);
    return { m, d };
  };

  it('a loop in the chain', () => {
    broken((d) => {
      d.setDesc(0, HDR, 16, 1, 1);
      d.setDesc(1, DATA, 512, 3, 0); // back to 0
      d.publish(0, 0, false);
    });
  });
  it('a next index outside the queue', () => {
    broken((d) => {
      d.setDesc(0, HDR, 16, 1, 200);
      d.publish(0, 0, false);
    });
  });
  it('a head index outside the queue', () => {
    broken((d) => d.publish(9, 0, false));
  });
  it('a readable descriptor after a writable one', () => {
    broken((d) => {
      d.setDesc(0, STAT, 1, 3, 1);
      d.setDesc(1, HDR, 16, 0, 0);
      d.publish(0, 0, false);
    });
  });
  it('an indirect descriptor (not offered)', () => {
    broken((d) => {
      d.setDesc(0, HDR, 16, 4, 0);
      d.publish(0, 0, false);
    });
  });
  it('avail.idx more than the queue size ahead', () => {
    broken((_d, m) => m.bus.dv.setUint16(AVAIL - RAM + 2, 100, true));
  });
  it('rings outside RAM (the DMA aborts)', () => {
    broken((d) => {
      d.wr(R.QueueReady, 0);
      d.wr(R.QueueDescLow, 0x0900_0000); // the UART
      d.wr(R.QueueReady, 1);
      d.publish(0, 0, false);
    });
  });
  it('after the reset the device works again', () => {
    const { m, d } = broken((d) => d.publish(9, 0, false));
    d.init([0, 3]);
    header(m, VIRTIO_BLK_T_IN, 1);
    d.submit([
      { addr: HDR, len: 16 },
      { addr: DATA, len: 512, write: true },
      { addr: STAT, len: 1, write: true },
    ]);
    expect(status(m)).toBe(VIRTIO_BLK_S_OK);
    expect(m.bus.u8[DATA - RAM]).toBe(0x10);
  });
});

describe('--drive and the host file', () => {
  it('parseDrive: FILE[,readonly]; unknown options are one-line errors', () => {
    expect(parseDrive('a.img')).toEqual({ path: 'a.img', readonly: false });
    expect(parseDrive('a.img,readonly')).toEqual({ path: 'a.img', readonly: true });
    expect(() => parseDrive('a.img,cache=none')).toThrow(/unknown option 'cache=none'/);
    expect(() => parseDrive(',readonly')).toThrow(/expected FILE/);
  });
  it('a missing file is a UserError naming it', () => {
    let err: unknown;
    try {
      new VirtioBlk(join(dir, 'nope.img'));
    } catch (e) {
      err = e;
    }
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toMatch(/nope\.img: no such file/);
  });
  it('a directory or a device node is refused with a one-line error', () => {
    expect(() => new VirtioBlk(dir)).toThrow(/--drive .*: is a directory$/);
    expect(() => new VirtioBlk('/dev/null', true)).toThrow(/--drive \/dev\/null: not a regular file$/);
  });
  it('a partial last sector is not part of the capacity', () => {
    writeFileSync(disk, new Uint8Array(512 * 3 + 100));
    const b = new VirtioBlk(disk, true);
    expect(b.capacity).toBe(3);
    b.close();
  });
});
