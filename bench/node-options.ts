/**
 * Node options for every Cutover process the harness starts (`cutover sync` passes, the project
 * benchmarks' `serve` and `worker`), from BENCH_CUTOVER_NODE_OPTIONS, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`: how a pass is profiled in the very setting it is measured in
 * (Node refuses --cpu-prof in NODE_OPTIONS).
 */
export const CUTOVER_NODE_OPTIONS: readonly string[] = (process.env['BENCH_CUTOVER_NODE_OPTIONS'] ?? '').split(/\s+/).filter((a) => a !== '');
