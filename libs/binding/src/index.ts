// The public surface of libs/binding, listed by hand. Apps import only from here ('#binding').
export { BindingConfigError, BindingError, type BindingErrorOptions } from './errors/binding-error.js';
export { FAILURES, FailureType, toHopMapping, type ErrorCode, type FailureMapping } from './errors/failure-type.js';
export { systemClock, type Clock } from './time/clock.js';
export type { ReplayStore } from './replay/replay-store.js';
