// The CLI reference as the README carries it: the help of each command, captured from main().
import { main } from '../../src/cli.js';

export async function cliReference(): Promise<string> {
  const parts: string[] = [];
  for (const args of [['--help'], ['run', '--help'], ['repl', '--help']]) {
    let text = '';
    const sink = { write: (s: string | Uint8Array) => ((text += String(s)), true) };
    await main(args, { stdout: sink as never, stderr: sink as never });
    parts.push('```\n$ a64hv ' + args.join(' ') + '\n' + text.trimEnd() + '\n```\n');
  }
  return parts.join('\n');
}
