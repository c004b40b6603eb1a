// Bench tables carry colour codes only to a terminal (bench/table-style.ts).
import { describe, it, expect } from 'vitest';
import Table from 'cli-table3';
import { tableStyle } from '../../bench/table-style.js';

const render = (tty: boolean): string => {
  const t = new Table({ head: ['a', 'b'], style: tableStyle(tty) });
  t.push(['1', '2']);
  return t.toString();
};

describe('bench table style', () => {
  it('no ANSI escapes when stdout is not a terminal; the same text with them on a terminal', () => {
    const plain = render(false);
    expect(plain).not.toMatch(/\x1b\[/);
    expect(plain).toContain('│ a │ b │');
    // On a terminal cli-table3 keeps its default colours (when colours are supported at all).
    expect(render(true).replace(/\x1b\[[0-9;]*m/g, '')).toBe(plain);
  });
});
