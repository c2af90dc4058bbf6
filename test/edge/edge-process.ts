import { AppProcess } from '../../scripts/estate/app-process.js';
import { builtAppPath } from '../../test-support/built-app.js';

/** The built edge (`node dist/apps/edge/main.js`) as a child process, configured by environment. */
export class EdgeProcess extends AppProcess {
  constructor(readonly port: number, env: Readonly<Record<string, string>>) {
    super({ name: 'edge', main: builtAppPath('edge'), env: { EDGE_PORT: String(port), ...env }, ready: { url: `http://127.0.0.1:${port}/readyz` } });
  }

  get url(): string {
    return `http://localhost:${this.port}`;
  }
}
