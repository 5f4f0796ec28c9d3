export { GCounter, PNCounter } from './counters.js';
export { GSet, ORSet } from './sets.js';
export { LWWMap, LWWRegister } from './registers.js';
