// The L1D hardware prefetcher of the detailed profiles: a miss-trained stride detector, as the
// Cortex-A53/A57/A72 TRMs describe theirs ("Data prefetching": the automatic prefetcher monitors
// the core's data-cache misses; once it recognises a sequence of misses at a fixed stride within
// a window of cache lines either way, it starts linefills in the background; loads and stores that
// hit in between do not disturb the recognition). The TRM pages were recalled, not re-read in this
// session: the window and the number of lines kept ahead are marked unverified in profiles.ts.
//
// What is modelled:
//  - `streams` trackers, each holding the last line it saw in one 4 KiB physical page (a physical
//    prefetcher does not cross a page: the next page's PA is unknown), its stride and whether
//    that stride was seen twice in a row (confirmed);
//  - a demand load miss (or the first demand hit on a line the prefetcher brought, which is a miss
//    the prefetch hid: "tagged" prefetching, so a confirmed stream keeps running ahead instead of
//    missing every `distance` lines) trains the tracker of its page whose last line is within
//    `window` lines, or takes the least recently used tracker;
//  - a confirmed stream prefetches the `distance` lines after the access along its stride that
//    are in the same page, each filled into L1D through L2 and ready `latency` cycles after the
//    miss (cache.ts `fill`): a demand load that arrives earlier waits the rest.
// Not modelled: bandwidth (line-fill buffers, DRAM occupancy), so a DRAM stream can run faster
// than a real one; prefetches into L2 only; VA-based prefetching across pages.

export interface PrefetchConfig {
  /** Streams tracked at once. */
  streams: number;
  /** Largest stride recognised, in cache lines (either direction). */
  window: number;
  /** Lines requested ahead of the demand access once a stride is confirmed. */
  distance: number;
}

/** Lines per 4 KiB page for 64-byte lines (the profiles' line size). */
const PAGE_BYTES = 4096;

export class StridePrefetcher {
  private readonly last: Float64Array;
  private readonly stride: Float64Array;
  private readonly confirmed: Uint8Array;
  private readonly used: Float64Array;
  private readonly pageLines: number;
  private clock = 0;
  /** Lines requested (filled into L1D), for the counts. */
  issued = 0;
  /** The lines to prefetch after the last `train` call (its first `count` entries). */
  readonly out: Float64Array;
  count = 0;

  constructor(
    readonly c: PrefetchConfig,
    lineBytes: number,
  ) {
    this.last = new Float64Array(c.streams).fill(-1);
    this.stride = new Float64Array(c.streams);
    this.confirmed = new Uint8Array(c.streams);
    this.used = new Float64Array(c.streams);
    this.pageLines = Math.max(1, Math.floor(PAGE_BYTES / lineBytes));
    this.out = new Float64Array(Math.max(1, c.distance));
  }

  /** A demand miss (or first hit on a prefetched line) at `line`: train, and list the lines to fetch in `out`. */
  train(line: number): void {
    this.count = 0;
    const page = Math.floor(line / this.pageLines);
    const w = this.c.window;
    let s = -1;
    let lru = 0;
    for (let k = 0; k < this.last.length; k++) {
      const l = this.last[k];
      if (l >= 0 && Math.floor(l / this.pageLines) === page && l !== line && Math.abs(line - l) <= w) {
        s = k;
        break;
      }
      if (this.used[k] < this.used[lru]) lru = k;
    }
    this.used[s >= 0 ? s : lru] = ++this.clock;
    if (s < 0) {
      // A new stream: nothing to predict from one miss.
      this.last[lru] = line;
      this.stride[lru] = 0;
      this.confirmed[lru] = 0;
      return;
    }
    const d = line - this.last[s];
    this.confirmed[s] = d === this.stride[s] ? 1 : 0;
    this.stride[s] = d;
    this.last[s] = line;
    if (this.confirmed[s] === 0) return;
    for (let k = 1; k <= this.c.distance; k++) {
      const t = line + k * d;
      if (Math.floor(t / this.pageLines) !== page) break;
      this.out[this.count++] = t;
    }
  }
}
