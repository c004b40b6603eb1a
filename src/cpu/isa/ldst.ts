// Loads and stores (C4.1.89), general-purpose registers.
import type { Encoding } from '../decode.js';

export const ldst: Encoding[] = [];
