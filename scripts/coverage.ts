// Regenerate the A64 coverage table from the decoder: docs/coverage.md and the README's copy.
//   npm run coverage
import { readFileSync, writeFileSync } from 'node:fs';
import { coverageDocument } from '../src/cpu/isa/coverage.js';

const doc = coverageDocument();
writeFileSync(new URL('../docs/coverage.md', import.meta.url), doc);
const readmeUrl = new URL('../README.md', import.meta.url);
const readme = readFileSync(readmeUrl, 'utf8');
const start = '<!-- COVERAGE:START -->';
const end = '<!-- COVERAGE:END -->';
const a = readme.indexOf(start);
const b = readme.indexOf(end);
if (a < 0 || b < a) throw new Error('README.md has no coverage markers');
const table = doc.slice(doc.indexOf('| group'));
writeFileSync(readmeUrl, readme.slice(0, a + start.length) + '\n' + table + readme.slice(b));
console.log('wrote docs/coverage.md and the README section');
