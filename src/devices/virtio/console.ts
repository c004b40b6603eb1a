// virtio-console (Virtual I/O Device (VIRTIO) 1.1, 5.3 "Console Device") with one port and no
// feature bits: receiveq0 (queue 0) takes bytes given to feed(), transmitq0 (queue 1) sends the
// guest's bytes to `onOutput`. A transmit chain is read up to CONSOLE_MAX_TX bytes (the rest is
// dropped, so a guest cannot make us copy without bound).
import type { Virtqueue } from './virtqueue.js';
import type { VirtioBackend } from './mmio.js';

export const VIRTIO_ID_CONSOLE = 3;
export const CONSOLE_MAX_TX = 64 * 1024;

export class VirtioConsole implements VirtioBackend {
  readonly deviceId = VIRTIO_ID_CONSOLE;
  readonly featureBits: number[] = [];
  readonly queueMax = [64, 64];
  /** 5.3.4 struct virtio_console_config (cols, rows, max_nr_ports, emerg_wr): unused without features. */
  readonly config = new Uint8Array(12);
  private input: number[] = [];
  private rx: Virtqueue | null = null;
  private readonly buf = new Uint8Array(4096);

  constructor(private readonly onOutput: (bytes: Uint8Array) => void) {}

  attach(queues: Virtqueue[]): void {
    this.rx = queues[0];
  }

  reset(): void {}

  /** Bytes for the guest: delivered into receive buffers now or when the driver adds some. */
  feed(bytes: Uint8Array): void {
    for (const b of bytes) this.input.push(b);
    this.deliver();
  }

  private deliver(): void {
    const rx = this.rx;
    if (rx === null) return;
    while (this.input.length > 0 && rx.pending() > 0) {
      const c = rx.pop();
      if (c === null) return;
      const n = Math.min(c.writableTotal, this.input.length, this.buf.length);
      this.buf.set(this.input.slice(0, n));
      const put = c.write(this.buf.subarray(0, n));
      if (put > 0) this.input.splice(0, put);
      if (!rx.push(c) || put < 0) return;
    }
  }

  notify(vq: Virtqueue): void {
    if (vq.index === 0) return this.deliver();
    for (let c = vq.pop(); c !== null; c = vq.pop()) {
      let left = Math.min(c.readableTotal, CONSOLE_MAX_TX);
      while (left > 0) {
        const n = c.read(this.buf.subarray(0, Math.min(left, this.buf.length)));
        if (n <= 0) break;
        this.onOutput(this.buf.slice(0, n));
        left -= n;
      }
      if (!vq.push(c)) return;
    }
  }
}
