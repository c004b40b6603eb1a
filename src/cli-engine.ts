// The --engine option of the CLI: the name checked with the user's spelling in the message.
import { UserError } from './errors.js';
import { parseEngine, type EngineName } from './cpu/jit/engine.js';

export function engineOption(s: string): EngineName {
  try {
    return parseEngine(s, '--engine');
  } catch (e) {
    throw new UserError((e as Error).message);
  }
}
