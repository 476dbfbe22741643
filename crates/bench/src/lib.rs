//! Native benchmarks behind `cargo xtask bench` (binary `licswap-bench`): loading and applying
//! against sim-server over real HTTP, the one-request-at-a-time baseline, and the planner's
//! memory. Each prints `RESULT <name> key=value …` lines for xtask to tabulate.
pub mod apply;
pub mod load;
pub mod measure;
pub mod server;
pub mod transport;
