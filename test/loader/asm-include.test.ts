// `.include "file"` in assembly guests (src/loader/asm-include.ts): expanded in place as GNU as does,
// relative to the including file, with errors naming the file and line the user wrote.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleSource } from '../../src/loader/asm.js';
import { expandIncludes, MAX_INCLUDE_DEPTH } from '../../src/loader/asm-include.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-inc-'));
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'lib', 'two.inc'), 'two:\n    mov x2, #2\n    ret\n');
  writeFileSync(join(dir, 'lib', 'nested.inc'), '    .include "two.inc"\nthree:\n    mov x3, #3\n');
  writeFileSync(join(dir, 'lib', 'bad.inc'), 'ok:\n    nop\n    frobnicate x1\n');
  writeFileSync(join(dir, 'lib', 'self.inc'), '    .include "self.inc"\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const opts = () => ({ includeDir: dir, path: join(dir, 'main.S') });

describe('.include', () => {
  it('assembles to the same bytes and labels as the text written in place', async () => {
    const inline = '_start:\n    bl two\n    b .\ntwo:\n    mov x2, #2\n    ret\n\nafter:\n    nop\n';
    const included = '_start:\n    bl two\n    b .\n    .include "lib/two.inc"\nafter:\n    nop\n';
    const a = await assembleSource(inline, 'main.S');
    const b = await assembleSource(included, 'main.S', undefined, opts());
    expect([...b.code]).toEqual([...a.code]);
    expect(b.symbols.lookup('two')).toBe(a.symbols.lookup('two'));
    expect(b.symbols.lookup('after')).toBe(a.symbols.lookup('after'));
  });

  it('nests, relative to the including file (lib/nested.inc includes lib/two.inc as "two.inc")', () => {
    const x = expandIncludes('_start:\n  .include "lib/nested.inc"\n  nop\n', 'main.S', dir);
    expect(x.lines.filter((l) => l.trim() !== '')).toEqual(['_start:', 'two:', '    mov x2, #2', '    ret', 'three:', '    mov x3, #3', '  nop']);
    expect(x.origins[1]).toEqual({ file: join('lib', 'two.inc'), line: 1 });
    expect(x.origins.find((_o, i) => x.lines[i] === 'three:')).toEqual({ file: join('lib', 'nested.inc'), line: 2 });
    expect(x.origins[x.origins.length - 2]).toEqual({ file: 'main.S', line: 3 });
  });

  it('an error inside an included file names that file and line', async () => {
    const src = '_start:\n    nop\n    .include "lib/bad.inc"\n    nop\n';
    await expect(assembleSource(src, 'main.S', undefined, opts())).rejects.toThrow(/^lib\/bad\.inc:3: /);
  });

  it('bad includes are one-line errors at the directive: missing file, self-inclusion, depth, syntax', async () => {
    await expect(assembleSource('  nop\n  .include "nope.inc"\n', 'main.S', undefined, opts())).rejects.toThrow('main.S:2: .include "nope.inc": no such file');
    await expect(assembleSource('  .include "lib/self.inc"\n', 'main.S', undefined, opts())).rejects.toThrow('lib/self.inc:1: .include "self.inc" includes itself');
    await expect(assembleSource('  .include "main.S"\n', 'main.S', undefined, opts())).rejects.toThrow('main.S:1: .include "main.S" includes itself');
    await expect(assembleSource('  .include lib/two.inc\n', 'main.S', undefined, opts())).rejects.toThrow('main.S:1: .include takes one quoted path: .include "file"');
    await expect(assembleSource('  .include "lib"\n', 'main.S', undefined, opts())).rejects.toThrow('main.S:1: .include "lib": no such file');
    // A chain of distinct files deeper than the limit (a reader that invents them) stops.
    let calls = 0;
    const deep = (p: string): string => {
      calls++;
      return `  .include "${p.replace(/.*\//, '')}x"\n`;
    };
    expect(() => expandIncludes('  .include "a"\n', 'main.S', dir, null, deep)).toThrow(`includes nest deeper than ${MAX_INCLUDE_DEPTH}`);
    expect(calls).toBe(MAX_INCLUDE_DEPTH);
  });
});
