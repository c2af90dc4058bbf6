/**
 * Preloaded (`node --import`) into a server being profiled: SIGUSR2 exits the process normally, so
 * `--cpu-prof` writes its profile (a process ended by a signal's default action writes none, and
 * Nest's shutdown hooks end it that way).
 */
process.on('SIGUSR2', () => process.exit(0));
