// roi-asm: the assembly macros of a64hv-roi.h (GNU as, through the C preprocessor). Touches 16
// pages inside region 3, then exits with semihosting SYS_EXIT_EXTENDED, status 0.
#include "a64hv-roi.h"
    .global _start
_start:
    adr x2, buffer
    A64HV_STATS_RESET 3
    mov x3, #16
touch:
    ldr x4, [x2]
    add x2, x2, #4096
    subs x3, x3, #1
    b.ne touch
    A64HV_STATS_DUMP 3
    adr x1, exit_block
    mov w0, #0x20
    hlt #0xf000
    .balign 8
exit_block:
    .quad 0x20026, 0
    .balign 4096
buffer:
    .space 16 * 4096
