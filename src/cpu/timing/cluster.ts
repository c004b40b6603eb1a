// One L2 per cluster: the Cortex-A53, A57 and A72 are built in clusters of one to four cores that
// share one L2 cache (A53 TRM 2.1.7, A57 TRM and A72 TRM "L2 memory system": one L2 per
// cluster/MPCore). The PEs of a machine (`--smp N`) are taken as clusters of four in PE order
// (PE k in cluster floor(k / 4)); the PEs of one cluster running the same detailed profile share
// one L2 tag array, so a line one core brought into L2 is an L2 hit for its neighbours.
// Coherence traffic is not modelled (a store does not invalidate another core's L1 copy).
import { Cache } from './cache.js';
import type { CacheGeometry } from './profiles.js';

/** Cores per cluster (the most the A53/A57/A72 clusters have). */
export const CLUSTER_SIZE = 4;

// Per machine (keyed by its bus, which all its PEs share): cluster and profile -> the L2.
const shared = new WeakMap<object, Map<string, Cache>>();

/** The L2 of PE `index`'s cluster for `profile` on the machine owning `bus` (created on first use). */
export function clusterL2(bus: object, index: number, profile: string, g: CacheGeometry): Cache {
  let m = shared.get(bus);
  if (m === undefined) {
    m = new Map();
    shared.set(bus, m);
  }
  const key = `${profile}/${Math.floor(index / CLUSTER_SIZE)}`;
  let l2 = m.get(key);
  if (l2 === undefined) {
    l2 = new Cache('L2', g);
    m.set(key, l2);
  }
  return l2;
}
