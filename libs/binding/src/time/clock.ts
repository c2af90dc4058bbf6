/** Seconds since the epoch. Injected everywhere a check reads the time, so tests can freeze it. */
export type Clock = () => number;

export const systemClock: Clock = () => Math.floor(Date.now() / 1000);
