/** What the example reads from its environment, once, at start-up; a missing variable stops it by name. */
export interface Settings {
  /** The authorization server's issuer identifier (RFC 8414), e.g. https://as.example.com. */
  readonly issuer: string;
  /** This service's audience: access tokens must name it in `aud`. */
  readonly audience: string;
  /** The origin clients use (DPoP `htu` is checked against it), e.g. https://api.example.com. */
  readonly publicOrigin: string;
  readonly port: number;
}

export function settingsFrom(env: NodeJS.ProcessEnv): Settings {
  const read = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') throw new Error(`${name} is not set`);
    return value;
  };
  const port = Number(env['PORT'] ?? '3000');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error('PORT must be a port number');
  return { issuer: read('ISSUER'), audience: read('AUDIENCE'), publicOrigin: read('PUBLIC_ORIGIN'), port };
}
