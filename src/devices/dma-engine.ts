// A memory-to-memory DMA engine (a64hv's own design; register map in src/devices/README-dma.md):
// the guest programs SRC, DST, LEN and CTRL; writing CTRL.START copies LEN bytes forward in
// bursts of 2^CTRL.BURST bytes through the engine's DmaPort (direct or behind the SMMU with its
// StreamID). Timing: the transfer completes during the store that starts it, and that store is
// charged the engine's time (BURST_SETUP + bytes/BUS_BYTES_PER_CYCLE cycles per burst): the
// engine holds the interconnect, so the CPU waits. Deterministic: the same programming gives the
// same cycles. STATUS shows DONE or ERROR afterwards; with CTRL.IRQ_EN the SPI is high while
// DONE or ERROR is set (level-sensitive), cleared by writing 1 to those STATUS bits.
import type { Device } from './bus.js';
import type { DmaPort } from './dma-port.js';

export const DMA_ENGINE_SIZE = 0x1000;
/** DMA_ID: "DMA1" as a little-endian word. */
export const DMA_ID_VALUE = 0x31414d44;

export const DMA_REG = {
  ID: 0x00,
  SRC_LO: 0x08,
  SRC_HI: 0x0c,
  DST_LO: 0x10,
  DST_HI: 0x14,
  LEN: 0x18,
  CTRL: 0x1c,
  STATUS: 0x20,
  ERROR: 0x24,
  ERR_ADDR_LO: 0x28,
  ERR_ADDR_HI: 0x2c,
  DONE_BYTES: 0x30,
} as const;

export const CTRL_START = 1 << 0;
export const CTRL_IRQ_EN = 1 << 1;
/** CTRL[11:8]: log2 of the burst size in bytes, 4 (16 B) .. 12 (4 KiB). */
export const CTRL_BURST_SHIFT = 8;
export const STATUS_BUSY = 1 << 0;
export const STATUS_DONE = 1 << 1;
export const STATUS_ERROR = 1 << 2;

/** ERROR codes. */
export const DMA_ERR = {
  NONE: 0,
  /** A burst's source could not be read (translation abort or not RAM); ERR_ADDR = its source address. */
  READ_ABORT: 1,
  /** A burst's destination could not be written; ERR_ADDR = its destination address. */
  WRITE_ABORT: 2,
  /** CTRL.BURST outside 4..12; nothing copied. */
  BAD_BURST: 3,
  /** SRC+LEN or DST+LEN beyond 2^48 (the engine's address width); nothing copied. */
  BAD_RANGE: 4,
} as const;

/** Cycles per burst: a fixed setup cost plus the data at 16 bytes per cycle (a 128-bit bus). */
export const BURST_SETUP_CYCLES = 4;
export const BUS_BYTES_PER_CYCLE = 16;
const ADDR_LIMIT = 2 ** 48;

export interface DmaEngineStats {
  transfers: number;
  bursts: number;
  bytes: number;
  errors: number;
  cycles: number;
}

export class DmaEngine implements Device {
  readonly name = 'dma-engine';
  readonly stats: DmaEngineStats = { transfers: 0, bursts: 0, bytes: 0, errors: 0, cycles: 0 };
  private src = 0;
  private dst = 0;
  private len = 0;
  private ctrl = 0;
  private status = 0;
  private error = 0;
  private errAddr = 0;
  private doneBytes = 0;
  private readonly buf = new Uint8Array(4096);
  private view = this.buf.subarray(0, 0);
  /** Called once per unknown register offset or bad access size. */
  onUnknown: (msg: string) => void = () => {};
  private irqLevel = false;

  /**
   * `charge(cycles)` adds the transfer's modelled time to the CPU; `setIrq` drives the SPI.
   */
  constructor(
    readonly port: DmaPort,
    private readonly charge: (cycles: number) => void,
    private readonly setIrq: (level: boolean) => void,
  ) {}

  reset(): void {
    this.src = this.dst = this.len = this.ctrl = this.status = this.error = this.errAddr = this.doneBytes = 0;
    this.updateIrq();
  }

  read(offset: number, size: number): number {
    if (size !== 4) {
      this.onUnknown(`dma-engine: ${size}-byte read at +0x${offset.toString(16)} (registers are 32-bit)`);
      return 0;
    }
    switch (offset) {
      case DMA_REG.ID:
        return DMA_ID_VALUE;
      case DMA_REG.SRC_LO:
        return this.src % 2 ** 32;
      case DMA_REG.SRC_HI:
        return Math.floor(this.src / 2 ** 32);
      case DMA_REG.DST_LO:
        return this.dst % 2 ** 32;
      case DMA_REG.DST_HI:
        return Math.floor(this.dst / 2 ** 32);
      case DMA_REG.LEN:
        return this.len;
      case DMA_REG.CTRL:
        return this.ctrl & ~CTRL_START; // START reads 0: the transfer is over when the store returns
      case DMA_REG.STATUS:
        return this.status;
      case DMA_REG.ERROR:
        return this.error;
      case DMA_REG.ERR_ADDR_LO:
        return this.errAddr % 2 ** 32;
      case DMA_REG.ERR_ADDR_HI:
        return Math.floor(this.errAddr / 2 ** 32);
      case DMA_REG.DONE_BYTES:
        return this.doneBytes;
      default:
        this.onUnknown(`dma-engine: read of unknown register +0x${offset.toString(16)}`);
        return 0;
    }
  }

  write(offset: number, size: number, value: number): void {
    if (size !== 4) {
      this.onUnknown(`dma-engine: ${size}-byte write at +0x${offset.toString(16)} ignored (registers are 32-bit)`);
      return;
    }
    const v = value >>> 0;
    switch (offset) {
      case DMA_REG.SRC_LO:
        this.src = Math.floor(this.src / 2 ** 32) * 2 ** 32 + v;
        return;
      case DMA_REG.SRC_HI:
        this.src = (v & 0xffff) * 2 ** 32 + (this.src % 2 ** 32); // 48-bit addresses
        return;
      case DMA_REG.DST_LO:
        this.dst = Math.floor(this.dst / 2 ** 32) * 2 ** 32 + v;
        return;
      case DMA_REG.DST_HI:
        this.dst = (v & 0xffff) * 2 ** 32 + (this.dst % 2 ** 32);
        return;
      case DMA_REG.LEN:
        this.len = v;
        return;
      case DMA_REG.CTRL:
        this.ctrl = v & (CTRL_IRQ_EN | (0xf << CTRL_BURST_SHIFT));
        if (v & CTRL_START) this.start();
        this.updateIrq();
        return;
      case DMA_REG.STATUS:
        // DONE and ERROR are write-1-to-clear; clearing ERROR also clears ERROR and ERR_ADDR.
        this.status &= ~(v & (STATUS_DONE | STATUS_ERROR));
        if (v & STATUS_ERROR) this.error = this.errAddr = 0;
        this.updateIrq();
        return;
      case DMA_REG.ID:
      case DMA_REG.ERROR:
      case DMA_REG.ERR_ADDR_LO:
      case DMA_REG.ERR_ADDR_HI:
      case DMA_REG.DONE_BYTES:
        return; // read-only
      default:
        this.onUnknown(`dma-engine: write of unknown register +0x${offset.toString(16)} ignored`);
    }
  }

  /** The whole transfer, burst by burst, in ascending address order (overlap copies forward). */
  private start(): void {
    this.stats.transfers++;
    this.status = STATUS_BUSY;
    this.error = this.errAddr = this.doneBytes = 0;
    const shift = (this.ctrl >>> CTRL_BURST_SHIFT) & 0xf;
    if (shift < 4 || shift > 12) return this.fail(DMA_ERR.BAD_BURST, 0);
    if (this.src + this.len > ADDR_LIMIT || this.dst + this.len > ADDR_LIMIT) return this.fail(DMA_ERR.BAD_RANGE, 0);
    const burst = 1 << shift;
    let cycles = 0;
    let done = 0;
    while (done < this.len) {
      // A burst does not cross a burst-size boundary of the source (as AXI bursts do not cross 4 KiB).
      const s = this.src + done;
      const n = Math.min(burst - (s % burst), this.len - done);
      if (n !== this.view.length) this.view = this.buf.subarray(0, n); // bursts are mostly one size
      const chunk = this.view;
      cycles += BURST_SETUP_CYCLES + Math.ceil(n / BUS_BYTES_PER_CYCLE);
      this.stats.bursts++;
      if (!this.port.read(s, chunk)) {
        this.finishTime(cycles);
        return this.fail(DMA_ERR.READ_ABORT, s);
      }
      if (!this.port.write(this.dst + done, chunk)) {
        this.finishTime(cycles);
        return this.fail(DMA_ERR.WRITE_ABORT, this.dst + done);
      }
      done += n;
      this.doneBytes = done;
      this.stats.bytes += n;
    }
    this.finishTime(cycles);
    this.status = STATUS_DONE;
  }

  private finishTime(cycles: number): void {
    this.stats.cycles += cycles;
    this.charge(cycles);
  }

  private fail(code: number, addr: number): void {
    this.stats.errors++;
    this.error = code;
    this.errAddr = addr;
    this.status = STATUS_ERROR;
  }

  private updateIrq(): void {
    const level = (this.ctrl & CTRL_IRQ_EN) !== 0 && (this.status & (STATUS_DONE | STATUS_ERROR)) !== 0;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.setIrq(level);
    }
  }
}
