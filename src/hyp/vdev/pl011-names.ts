// Register names of the PL011 (ARM DDI 0183, Table 3-1), for per-register exit statistics.
import { nameFrom } from './vdev.js';

const NAMES: Record<number, string> = {
  0x000: 'UARTDR',
  0x004: 'UARTRSR',
  0x018: 'UARTFR',
  0x020: 'UARTILPR',
  0x024: 'UARTIBRD',
  0x028: 'UARTFBRD',
  0x02c: 'UARTLCR_H',
  0x030: 'UARTCR',
  0x034: 'UARTIFLS',
  0x038: 'UARTIMSC',
  0x03c: 'UARTRIS',
  0x040: 'UARTMIS',
  0x044: 'UARTICR',
  0x048: 'UARTDMACR',
};

export function pl011RegName(offset: number): string {
  if (offset >= 0xfe0 && offset < 0x1000) return offset < 0xff0 ? 'UARTPeriphID' : 'UARTPCellID';
  return nameFrom(NAMES, offset);
}
