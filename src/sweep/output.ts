// The sweep's files: results.csv, results.json (the grid, the rows); the chart (chart.svg and its
// Vega-Lite specification chart.vl.json) is drawn by chart.ts.
import { csvField } from '../stats/formats.js';
import type { Grid } from './grid.js';
import type { SweepResult } from './runner.js';

const COLUMNS: (keyof SweepResult)[] = [
  'id', 'family', 'footprint', 'mmu', 's2', 'tlb', 'vmidTagging', 'accesses', 'ok', 'instructions', 'cycles',
  'l1dMisses', 'l1dHitRate', 'l2Hits', 'l2Misses', 's1Walks', 's2Walks', 'descReads', 'cyclesPerAccess', 'walksPerKiloAccess', 'error',
];

export function resultsCsv(rows: SweepResult[]): string {
  const lines = [COLUMNS.join(',')];
  for (const r of rows) lines.push(COLUMNS.map((c) => csvField(r[c] === undefined || r[c] === null ? '' : String(r[c]))).join(','));
  return lines.join('\n') + '\n';
}

export function resultsJson(grid: Grid, rows: SweepResult[], meta: Record<string, unknown>): string {
  return JSON.stringify({ ...meta, grid, results: rows }, null, 2) + '\n';
}

export { sizeLabel, chartSvg, chartSpec } from './chart.js';
