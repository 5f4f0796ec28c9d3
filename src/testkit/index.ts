/**
 * `bactor/testkit`: what tests of actors use — a probe that stands in for an actor and waits for
 * what it is sent, the manual clock that drives timers and ask timeouts by hand, and
 * deterministic runs: a whole system on one thread with seeded turns and a virtual clock
 * (`simulate` one seed, `explore` many; a failing seed replays).
 */
export { TestProbe } from './test-probe.js';
export { ManualClock, type Clock } from '../runtime/clock.js';
export {
  simulate,
  explore,
  type Scenario,
  type SimulatedSystemOptions,
  type SimulationRun,
  type SimulationFailure,
  type ExploreOptions,
  type ExploreReport,
} from './simulate.js';
export type { Simulation, DeterministicOptions } from '../system/simulation.js';
