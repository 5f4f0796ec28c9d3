/**
 * `bactor/testkit`: what tests of actors use — a probe that stands in for an actor and waits for
 * what it is sent, and the manual clock that drives timers and ask timeouts by hand.
 */
export { TestProbe } from './test-probe.js';
export { ManualClock, type Clock } from '../runtime/clock.js';
