// Prints the plain closing line CI reads: "N passed, N failed" (skipped counted apart).
import type { Reporter, File, Task } from 'vitest';

function count(tasks: Task[], acc: { passed: number; failed: number; skipped: number }): void {
  for (const t of tasks) {
    if (t.type === 'suite') count(t.tasks, acc);
    else if (t.mode === 'skip' || t.mode === 'todo') acc.skipped++;
    else if (t.result?.state === 'pass') acc.passed++;
    else if (t.result?.state === 'fail') acc.failed++;
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: File[] = [], errors: unknown[] = []): void {
    const acc = { passed: 0, failed: 0, skipped: 0 };
    count(files, acc);
    // A file that failed to load counts as a failure even though it ran no test.
    for (const f of files) if (f.result?.state === 'fail' && f.tasks.length === 0) acc.failed++;
    acc.failed += errors.length;
    const skipped = acc.skipped ? `, ${acc.skipped} skipped` : '';
    process.stdout.write(`\n${acc.passed} passed, ${acc.failed} failed${skipped}\n`);
  }
}
