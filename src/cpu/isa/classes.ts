// The encoding classes of the ARM ARM's A64 instruction index (C4.1, "A64 instruction set
// encoding"), as bit patterns in the same notation as the decoder. Used to report coverage; the
// decoder itself does not depend on this table. Where two classes overlap (e.g. modified
// immediate inside shift by immediate), the more specific one is listed first.

export interface EncodingClass {
  group: string;
  name: string;
  pattern: string;
}

const c = (group: string, name: string, pattern: string): EncodingClass => ({ group, name, pattern });

const DPI = 'Data processing (immediate)';
const BES = 'Branches, exception generating and system';
const LS = 'Loads and stores';
const DPR = 'Data processing (register)';
const FPS = 'Scalar FP and Advanced SIMD';

export const A64_CLASSES: EncodingClass[] = [
  c('Reserved', 'Reserved (UDF)', '0 xx 0000 xxxxxxxxxxxxxxxxxxxxxxxxx'),
  c('SME', 'SME', '1 xx 0000 xxxxxxxxxxxxxxxxxxxxxxxxx'),
  c('SVE', 'SVE', 'x xx 0010 xxxxxxxxxxxxxxxxxxxxxxxxx'),

  c(DPI, 'PC-rel. addressing', 'x xx 10000 xxxxxxxxxxxxxxxxxxxxxxxx'),
  c(DPI, 'Add/subtract (immediate)', 'x xx 100010 xxxxxxxxxxxxxxxxxxxxxxx'),
  c(DPI, 'Add/subtract (immediate, with tags)', 'x xx 100011 xxxxxxxxxxxxxxxxxxxxxxx'),
  c(DPI, 'Logical (immediate)', 'x xx 100100 xxxxxxxxxxxxxxxxxxxxxxx'),
  c(DPI, 'Move wide (immediate)', 'x xx 100101 xxxxxxxxxxxxxxxxxxxxxxx'),
  c(DPI, 'Bitfield', 'x xx 100110 xxxxxxxxxxxxxxxxxxxxxxx'),
  c(DPI, 'Extract', 'x xx 100111 xxxxxxxxxxxxxxxxxxxxxxx'),

  c(BES, 'Conditional branch (immediate)', '0101010 x xxxxxxxxxxxxxxxxxxxxxxxx'),
  c(BES, 'Exception generation', '11010100 xxxxxxxxxxxxxxxxxxxxxxxx'),
  c(BES, 'Hints', '11010101000000110010 xxxx xxx 11111'),
  c(BES, 'Barriers', '11010101000000110011 xxxx xxx 11111'),
  c(BES, 'PSTATE', '1101010100000 xxx 0100 xxxx xxx xxxxx'),
  c(BES, 'System instructions', '1101010100 x 01 xxx xxxx xxxx xxx xxxxx'),
  c(BES, 'System register move', '1101010100 x 1x xxx xxxx xxxx xxx xxxxx'),
  c(BES, 'Unconditional branch (register)', '1101011 xxxxxxxxxxxxxxxxxxxxxxxxx'),
  c(BES, 'Unconditional branch (immediate)', 'x 00101 xxxxxxxxxxxxxxxxxxxxxxxxxx'),
  c(BES, 'Compare and branch (immediate)', 'x 011010 xxxxxxxxxxxxxxxxxxxxxxxxx'),
  c(BES, 'Test and branch (immediate)', 'x 011011 xxxxxxxxxxxxxxxxxxxxxxxxx'),

  c(LS, 'Compare and swap pair', '0 x 0010000 x 1 xxxxx x 11111 xxxxx xxxxx'),
  c(LS, 'AdvSIMD load/store multiple structures', '0 x 0011000 x 000000 xxxxxxxxxxxxxxxx'),
  c(LS, 'AdvSIMD load/store multiple structures (post-indexed)', '0 x 0011001 x 0 xxxxx xxxxxxxxxxxxxxxx'),
  c(LS, 'AdvSIMD load/store single structure', '0 x 0011010 x x 00000 xxxxxxxxxxxxxxxx'),
  c(LS, 'AdvSIMD load/store single structure (post-indexed)', '0 x 0011011 xxxxxxx xxxxxxxxxxxxxxxx'),
  c(LS, 'Load/store memory tags', '11011001 xx 1 xxxxxxxxxxxxxxxxxxxxx'), // bit 21 = 1 (STG, LDG...: C4.1)
  c(LS, 'Load/store exclusive pair', '1 x 0010000 x 1 xxxxxxxxxxxxxxxxxxxxx'),
  c(LS, 'Load/store exclusive register', 'xx 0010000 x 0 xxxxxxxxxxxxxxxxxxxxx'),
  c(LS, 'Load/store ordered', 'xx 0010001 x 0 xxxxxxxxxxxxxxxxxxxxx'),
  c(LS, 'Compare and swap', 'xx 0010001 x 1 xxxxxxxxxxxxxxxxxxxxx'),
  c(LS, 'LDAPR/STLR (unscaled immediate)', 'xx 011001 xx 0 xxxxxxxxx 00 xxxxxxxxxx'),
  c(LS, 'Load register (literal)', 'xx 011 x 00 xxxxxxxxxxxxxxxxxxxxxxxx'),
  c(LS, 'Memory copy and set', 'xx 011 x 01 xx 0 xxxxx xxxx 01 xxxxxxxxxx'),
  c(LS, 'Load/store no-allocate pair (offset)', 'xx 101 x 000 xxxxxxxxxxxxxxxxxxxxxxx'),
  c(LS, 'Load/store register pair (post-indexed)', 'xx 101 x 001 xxxxxxxxxxxxxxxxxxxxxxx'),
  c(LS, 'Load/store register pair (offset)', 'xx 101 x 010 xxxxxxxxxxxxxxxxxxxxxxx'),
  c(LS, 'Load/store register pair (pre-indexed)', 'xx 101 x 011 xxxxxxxxxxxxxxxxxxxxxxx'),
  c(LS, 'Load/store register (unscaled immediate)', 'xx 111 x 00 xx 0 xxxxxxxxx 00 xxxxxxxxxx'),
  c(LS, 'Load/store register (immediate post-indexed)', 'xx 111 x 00 xx 0 xxxxxxxxx 01 xxxxxxxxxx'),
  c(LS, 'Load/store register (unprivileged)', 'xx 111 x 00 xx 0 xxxxxxxxx 10 xxxxxxxxxx'),
  c(LS, 'Load/store register (immediate pre-indexed)', 'xx 111 x 00 xx 0 xxxxxxxxx 11 xxxxxxxxxx'),
  c(LS, 'Atomic memory operations', 'xx 111 x 00 xx 1 xxxxx x xxx 00 xxxxxxxxxx'),
  c(LS, 'Load/store register (register offset)', 'xx 111 x 00 xx 1 xxxxx x xxx 10 xxxxxxxxxx'),
  c(LS, 'Load/store register (pac)', 'xx 111 x 00 xx 1 xxxxx x xxx x1 xxxxxxxxxx'),
  c(LS, 'Load/store register (unsigned immediate)', 'xx 111 x 01 xxxxxxxxxxxxxxxxxxxxxxxx'),

  c(DPR, 'Data-processing (2 source)', 'x 0 x 11010110 xxxxx xxxxxx xxxxx xxxxx'),
  c(DPR, 'Data-processing (1 source)', 'x 1 x 11010110 xxxxx xxxxxx xxxxx xxxxx'),
  c(DPR, 'Logical (shifted register)', 'x xx 01010 xx x xxxxx xxxxxx xxxxx xxxxx'),
  c(DPR, 'Add/subtract (shifted register)', 'x xx 01011 xx 0 xxxxx xxxxxx xxxxx xxxxx'),
  c(DPR, 'Add/subtract (extended register)', 'x xx 01011 xx 1 xxxxx xxxxxx xxxxx xxxxx'),
  c(DPR, 'Add/subtract (with carry)', 'x xx 11010000 xxxxx 000000 xxxxx xxxxx'),
  c(DPR, 'Rotate right into flags', 'x xx 11010000 xxxxxx 00001 xxxxx xxxxx'),
  c(DPR, 'Evaluate into flags', 'x xx 11010000 xxxxxxx 0010 xxxxx xxxxx'),
  c(DPR, 'Conditional compare (register)', 'x xx 11010010 xxxxx xxxx 0 x xxxxx xxxxx'),
  c(DPR, 'Conditional compare (immediate)', 'x xx 11010010 xxxxx xxxx 1 x xxxxx xxxxx'),
  c(DPR, 'Conditional select', 'x xx 11010100 xxxxx xxxxxx xxxxx xxxxx'),
  c(DPR, 'Data-processing (3 source)', 'x xx 11011 xxx xxxxx xxxxxx xxxxx xxxxx'),

  c(FPS, 'Cryptographic AES', '01001110 xx 10100 xxxxx 10 xxxxx xxxxx'),
  c(FPS, 'Cryptographic three-register SHA', '01011110 xx 0 xxxxx 0 xxx 00 xxxxx xxxxx'),
  c(FPS, 'Cryptographic two-register SHA', '01011110 xx 10100 xxxxx 10 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD scalar copy', '01 x 11110000 xxxxx 0 xxxx 1 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD scalar three same FP16', '01 x 11110 x 10 xxxxx 00 xxx 1 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD scalar two-register misc FP16', '01 x 11110 x 1111 00 xxxxx 10 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD scalar two-register misc', '01 x 11110 xx 10000 xxxxx 10 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD scalar pairwise', '01 x 11110 xx 11000 xxxxx 10 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD scalar three different', '01 x 11110 xx 1 xxxxx xxxx 00 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD scalar three same', '01 x 11110 xx 1 xxxxx xxxxx 1 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD scalar shift by immediate', '01 x 111110 xxxxxxx xxxxx 1 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD scalar x indexed element', '01 x 11111 xxxxxxxx xxxxx 0 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD table lookup', '0 x 001110 xx 0 xxxxx 0 xx x 00 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD permute', '0 x 001110 xx 0 xxxxx 0 xxx 10 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD extract', '0 x 101110 xx 0 xxxxx 0 xxxx 0 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD copy', '0 x x 01110000 xxxxx 0 xxxx 1 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD three same (FP16)', '0 x x 01110 x 10 xxxxx 00 xxx 1 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD two-register misc (FP16)', '0 x x 01110 x 1111 00 xxxxx 10 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD two-register misc', '0 x x 01110 xx 10000 xxxxx 10 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD across lanes', '0 x x 01110 xx 11000 xxxxx 10 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD three different', '0 x x 01110 xx 1 xxxxx xxxx 00 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD three same', '0 x x 01110 xx 1 xxxxx xxxxx 1 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD modified immediate', '0 x x 0111100000 xxx xxxxx 1 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD shift by immediate', '0 x x 011110 xxxxxxx xxxxx 1 xxxxx xxxxx'),
  c(FPS, 'AdvSIMD vector x indexed element', '0 x x 01111 xxxxxxxx xxxxx 0 xxxxx xxxxx'),
  c(FPS, 'Conversion between FP and fixed-point', 'x 0 x 11110 xx 0 xxxxx xxxxxx xxxxx xxxxx'),
  c(FPS, 'Conversion between FP and integer', 'x 0 x 11110 xx 1 xxxxx 000000 xxxxx xxxxx'),
  c(FPS, 'FP data-processing (1 source)', 'x 0 x 11110 xx 1 xxxxxx 10000 xxxxx xxxxx'),
  c(FPS, 'FP compare', 'x 0 x 11110 xx 1 xxxxx xx 1000 xxxxx xxxxx'),
  c(FPS, 'FP immediate', 'x 0 x 11110 xx 1 xxxxxxxx 100 xxxxx xxxxx'),
  c(FPS, 'FP conditional compare', 'x 0 x 11110 xx 1 xxxxx xxxx 01 xxxxx xxxxx'),
  c(FPS, 'FP data-processing (2 source)', 'x 0 x 11110 xx 1 xxxxx xxxx 10 xxxxx xxxxx'),
  c(FPS, 'FP conditional select', 'x 0 x 11110 xx 1 xxxxx xxxx 11 xxxxx xxxxx'),
  c(FPS, 'FP data-processing (3 source)', 'x 0 x 11111 xxxxxxxxxxxxxxxxxxxxxxxx'),
];
