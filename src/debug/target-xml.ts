// The target description GDB reads with qXfer:features:read:target.xml. Register numbers (the
// order of g/G and p/P): x0..x30 = 0..30, sp = 31, pc = 32, cpsr = 33, v0..v31 = 34..65,
// fpsr = 66, fpcr = 67. Feature and register names are the ones GDB's AArch64 support looks for.
// Then the EL1/EL2 system registers from 68 on (gdb-sysregs.ts), in a feature of their own (GDB
// shows any feature's registers by name; group "system" gives `info registers system`).
import { GDB_SYSREGS } from './gdb-sysregs.js';

export const REG_SP = 31;
export const REG_PC = 32;
export const REG_CPSR = 33;
export const REG_V0 = 34;
export const REG_FPSR = 66;
export const REG_FPCR = 67;
export const NUM_REGS = 68;
/** The first system register's number; they are not in the g packet. */
export const REG_SYS0 = NUM_REGS;
export const NUM_ALL_REGS = NUM_REGS + GDB_SYSREGS.length;

/** Size in bytes of register n in the g packet. */
export function regSize(n: number): number {
  if (n <= REG_PC || n >= REG_SYS0) return 8;
  if (n === REG_CPSR || n === REG_FPSR || n === REG_FPCR) return 4;
  return 16;
}

function build(): string {
  const core: string[] = [];
  for (let k = 0; k <= 30; k++) core.push(`    <reg name="x${k}" bitsize="64" type="int" regnum="${k}"/>`);
  core.push(`    <reg name="sp" bitsize="64" type="data_ptr" regnum="${REG_SP}"/>`);
  core.push(`    <reg name="pc" bitsize="64" type="code_ptr" regnum="${REG_PC}"/>`);
  core.push(`    <reg name="cpsr" bitsize="32" type="int" regnum="${REG_CPSR}"/>`);
  const fpu: string[] = [
    '    <vector id="v2f64" type="ieee_double" count="2"/>',
    '    <vector id="v2u64" type="uint64" count="2"/>',
    '    <vector id="v4f32" type="ieee_single" count="4"/>',
    '    <vector id="v4u32" type="uint32" count="4"/>',
    '    <vector id="v8u16" type="uint16" count="8"/>',
    '    <vector id="v16u8" type="uint8" count="16"/>',
    '    <union id="vreg">',
    '      <field name="d" type="v2f64"/>',
    '      <field name="s" type="v4f32"/>',
    '      <field name="ud" type="v2u64"/>',
    '      <field name="us" type="v4u32"/>',
    '      <field name="uh" type="v8u16"/>',
    '      <field name="ub" type="v16u8"/>',
    '      <field name="q" type="uint128"/>',
    '    </union>',
  ];
  for (let k = 0; k < 32; k++) fpu.push(`    <reg name="v${k}" bitsize="128" type="vreg" regnum="${REG_V0 + k}"/>`);
  fpu.push(`    <reg name="fpsr" bitsize="32" type="int" regnum="${REG_FPSR}"/>`);
  fpu.push(`    <reg name="fpcr" bitsize="32" type="int" regnum="${REG_FPCR}"/>`);
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target version="1.0">',
    '  <architecture>aarch64</architecture>',
    '  <feature name="org.gnu.gdb.aarch64.core">',
    ...core,
    '  </feature>',
    '  <feature name="org.gnu.gdb.aarch64.fpu">',
    ...fpu,
    '  </feature>',
    '  <feature name="org.a64hv.aarch64.sysregs">',
    ...GDB_SYSREGS.map((d, k) => `    <reg name="${d.name}" bitsize="64" type="uint64" regnum="${REG_SYS0 + k}" group="system"/>`),
    '  </feature>',
    '</target>',
    '',
  ].join('\n');
}

export const TARGET_XML = build();
