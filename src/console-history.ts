// The console history a machine or VM keeps (what `.output` returns): the most recent
// CONSOLE_HISTORY characters. A guest may print without end (an interactive Linux left running,
// a loop printing): the whole text in one string reached V8's string limit (~512 MiB, a
// RangeError). Output itself is never lost: it goes to the sink as it is printed; only the
// history for later inspection is bounded.

/** Characters of console history kept (the tail); older text is counted in `dropped`. */
export const CONSOLE_HISTORY = 1 << 24;

export class ConsoleHistory {
  private text = '';
  /** Characters dropped from the front so far. */
  dropped = 0;
  constructor(readonly cap = CONSOLE_HISTORY) {}

  append(t: string): void {
    if (this.text.length + t.length > this.cap) {
      // Keep the last half of the cap (amortised O(1) per character: a trim follows at least
      // cap/2 appended characters).
      const all = t.length >= this.cap / 2 ? t : this.text + t;
      const keep = all.slice(all.length - Math.floor(this.cap / 2));
      this.dropped += this.text.length + t.length - keep.length;
      this.text = keep;
    } else this.text += t;
  }

  toString(): string {
    return this.text;
  }
}
