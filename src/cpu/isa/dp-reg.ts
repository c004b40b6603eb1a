// Data processing -- register (C4.1.88).
import type { Encoding } from '../decode.js';

export const dpReg: Encoding[] = [];
