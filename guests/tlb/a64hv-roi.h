/*
 * a64hv-roi.h: regions of interest for a64hv (docs/tlb-lab.md), as gem5's m5 resetstats and
 * m5 dumpstats. Two semihosting operations in the range the semihosting specification reserves
 * for user applications (0x100-0x1FF), made with the AArch64 semihosting trap HLT #0xF000:
 *
 *   A64HV_STATS_RESET (0x100), X1 = region number: zero every counter; count from here
 *   A64HV_STATS_DUMP  (0x101), X1 = region number: record the counters since the last reset
 *
 * Both return 0 in X0 and clobber nothing else. a64hv writes the dumped regions into --stats-txt,
 * --stats-csv, --stats-json and --stats-dir. Semihosting must be enabled (a64hv's default), and
 * the caller must run at EL1 (semihosting from EL0 is UNDEFINED). QEMU stops on these operations:
 * build without -DA64HV_ROI (the macros then expand to nothing) to run the same source there.
 *
 * C:        a64hv_stats_reset(1); work(); a64hv_stats_dump(1);
 * assembly: A64HV_STATS_RESET 1 ... A64HV_STATS_DUMP 1      (GNU as; clobbers x0, x1)
 */
#ifndef A64HV_ROI_H
#define A64HV_ROI_H

#define A64HV_SYS_STATS_RESET 0x100
#define A64HV_SYS_STATS_DUMP 0x101

#ifdef __ASSEMBLER__

#ifdef A64HV_ROI
.macro A64HV_STATS_RESET region
    mov w0, #A64HV_SYS_STATS_RESET
    mov x1, #\region
    hlt #0xf000
.endm
.macro A64HV_STATS_DUMP region
    mov w0, #A64HV_SYS_STATS_DUMP
    mov x1, #\region
    hlt #0xf000
.endm
#else
.macro A64HV_STATS_RESET region
.endm
.macro A64HV_STATS_DUMP region
.endm
#endif

#else /* C */

static inline long a64hv_semihost(unsigned op, unsigned long arg)
{
#ifdef A64HV_ROI
    register unsigned long x0 __asm__("x0") = op;
    register unsigned long x1 __asm__("x1") = arg;
    __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    return (long)x0;
#else
    (void)op;
    (void)arg;
    return 0;
#endif
}

/* Zero every counter; counting starts here. */
static inline void a64hv_stats_reset(unsigned region) { a64hv_semihost(A64HV_SYS_STATS_RESET, region); }
/* Record the counters since the last reset as region `region`. */
static inline void a64hv_stats_dump(unsigned region) { a64hv_semihost(A64HV_SYS_STATS_DUMP, region); }

#endif
#endif
