import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Robust on a loaded machine (issue 14): several engineers share 2 cores. No test depends on host
// speed (time-dependent paths take a clock the test drives), so the limits below only guard
// against real hangs, and are generous. One worker per core: more workers on a busy machine only
// starve each other's event loops, which is how vitest's own RPC ("Timeout calling
// onTaskUpdate", a fixed 60 s in its worker channel) failed a run whose tests had all passed.
const cores = availableParallelism();

export default defineConfig({
  // The examples import the package by name, as its users do: from the sources in tests.
  resolve: { alias: { a64hv: new URL('./src/api/index.ts', import.meta.url).pathname } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    pool: 'forks',
    maxWorkers: Math.max(1, Math.min(cores, 4)),
    minWorkers: 1,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
