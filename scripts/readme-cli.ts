// Regenerate the README's CLI reference from the CLI's own help text: npm run readme:cli
import { readFileSync, writeFileSync } from 'node:fs';
import { cliReference } from '../test/cli/cli-reference.js';

const url = new URL('../README.md', import.meta.url);
const readme = readFileSync(url, 'utf8');
const start = '<!-- CLI:START -->';
const end = '<!-- CLI:END -->';
const a = readme.indexOf(start);
const b = readme.indexOf(end);
if (a < 0 || b < a) throw new Error('README.md has no CLI markers');
writeFileSync(url, readme.slice(0, a + start.length) + '\n' + (await cliReference()) + readme.slice(b));
console.log('README CLI reference updated');
