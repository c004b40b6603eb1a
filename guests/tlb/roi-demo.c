/*
 * roi-demo: the C side of a64hv-roi.h. Sums one word per 4 KiB page of a 256 KiB array twice,
 * each sum in its own region: with --mmu s1:4k:pages the 64 pages are more than the 32-entry
 * L1 DTLB holds, so each region shows 64 L1 DTLB misses, all L2 hits (the setup loop warmed L2). Build: make -C guests/tlb (the ELF is committed). Run:
 *   a64hv run guests/tlb/build/roi-demo.elf --mmu s1:4k:pages --stats-txt stats.txt
 */
#include <stdio.h>
#include "a64hv-roi.h"

#define N (256 * 1024 / sizeof(long))
static long data[N];

static long sum(void)
{
    long s = 0;
    for (unsigned i = 0; i < N; i += 512) s += data[i]; /* one load per 4 KiB page */
    return s;
}

int main(void)
{
    for (unsigned i = 0; i < N; i += 512) data[i] = i;
    long a, b;
    a64hv_stats_reset(1);
    a = sum();
    a64hv_stats_dump(1);
    a64hv_stats_reset(2);
    b = sum();
    a64hv_stats_dump(2);
    printf("roi-demo: %ld %ld\n", a, b);
    return a == b ? 0 : 1;
}
