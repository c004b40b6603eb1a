// Regenerate the A64 coverage table from the decoder: docs/coverage.md (the README links to it).
//   npm run coverage
import { writeFileSync } from 'node:fs';
import { coverageDoc } from '../src/cpu/isa/coverage-doc.js';

writeFileSync(new URL('../docs/coverage.md', import.meta.url), coverageDoc());
console.log('wrote docs/coverage.md');
