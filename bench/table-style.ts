// cli-table3 colours its header and borders with ANSI escapes; they belong on a terminal only, not
// in a file or a pipe (issue 13: "no colour codes unless stdout is a terminal").
/** The `style` option for a bench table: colours on a terminal, plain text otherwise. */
export function tableStyle(tty: boolean = process.stdout.isTTY === true): { head?: string[]; border?: string[] } {
  return tty ? {} : { head: [], border: [] };
}
