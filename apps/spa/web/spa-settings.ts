/**
 * The page's settings, served by the SPA server as /config.json from its environment
 * (apps/spa/src/spa-server.ts `browserSettings`): where the authorization server and the edge
 * are, and what to ask for. Read once at start; a malformed answer stops the page.
 */
export interface SpaSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly resource: string;
  readonly scope: string;
  readonly edgeUrl: string;
}

const FIELDS = ['issuer', 'clientId', 'redirectUri', 'resource', 'scope', 'edgeUrl'] as const;

export async function loadSettings(): Promise<SpaSettings> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  const body: unknown = await response.json();
  if (typeof body !== 'object' || body === null) throw new Error('/config.json is not an object');
  const record = body as Record<string, unknown>;
  for (const field of FIELDS) {
    if (typeof record[field] !== 'string' || record[field] === '') throw new Error(`/config.json lacks "${field}"`);
  }
  return Object.freeze(Object.fromEntries(FIELDS.map((field) => [field, record[field] as string]))) as unknown as SpaSettings;
}
