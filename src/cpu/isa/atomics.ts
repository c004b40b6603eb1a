// Loads and stores: exclusives, acquire/release and LSE atomics (C4.1.89).
import type { Encoding } from '../decode.js';

export const atomics: Encoding[] = [];
