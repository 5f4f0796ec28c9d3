/** Messages per actor turn unless the actor or the scheduler says otherwise (the quantum knob). */
export const DEFAULT_QUANTUM = 100;
/** Messages a worker runs between two looks at its inbound rings (the batch knob). */
export const DEFAULT_BATCH = 4096;
