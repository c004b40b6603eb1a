// System instructions (ARM ARM C4.1.87 / C5): exception generation, hints, barriers, MRS/MSR,
// SYS (cache and TLB maintenance), ERET.
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits } from '../decode.js';

// HLT #imm16 (C6.2.127): a halting debug event; #0xF000 is the A64 semihosting call.
function execHlt(cpu: Cpu, i: Insn): void {
  if (cpu.firmware === null || !cpu.firmware.hlt(cpu, i.imm)) cpu.raise(0, 0, 0);
}
function execNop(_cpu: Cpu, _i: Insn): void {}

export const system: Encoding[] = [
  {
    name: 'HLT',
    pattern: '11010100 010 iiiiiiiiiiiiiiii 000 00',
    endsBlock: true,
    decode(raw, i) {
      i.imm = bits(raw, 20, 5);
      i.exec = execHlt;
    },
  },
  { name: 'NOP', pattern: '11010101000000110010 0000 000 11111', decode: (_r, i) => void (i.exec = execNop) },
];
