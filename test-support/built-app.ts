import { resolve } from 'node:path';
import { AppProcess, type Readiness } from '../scripts/estate/app-process.js';

/** A NATS service is ready once it logs that it serves its subjects (apps/<app>/src/main.ts). */
export const SERVING: Readiness = Object.freeze({ line: /serving / });

export function builtAppPath(app: string): string {
  return resolve(`dist/apps/${app}/main.js`);
}

/**
 * A built app (`node dist/apps/<app>/main.js`) as the operator runs it: configured only by the
 * environment given, its output kept for failure messages. Needs `npm run build` first.
 */
export function builtApp(app: string, env: Readonly<Record<string, string>>, ready: Readiness = SERVING): AppProcess {
  return new AppProcess({ name: app, main: builtAppPath(app), env, ready });
}
