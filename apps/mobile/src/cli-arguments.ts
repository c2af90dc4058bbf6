/**
 * The CLI's command line and environment, read once into a command and MobileOptions. Flags win
 * over MOBILE_* variables, which win over the defaults in mobile-options.ts.
 */
import { parseArgs } from 'node:util';
import type { Credentials } from './login/scripted-browser.js';
import type { MobileOptions } from './mobile-options.js';

export const USAGE = `usage: node dist/apps/mobile/main.js <command> [options]
       node dist/apps/mobile/main.js --help | -h

commands:
  login                 log in through the browser (prints the URL to open)
  login --username U    scripted login: posts U and the password to the login form itself
                        (password from --password or MOBILE_PASSWORD)
  refresh               exchange the refresh token (with a DPoP proof) for new tokens
  call <url>            call a protected resource with a DPoP proof; prints the body
        [--method M] [--data BODY] [--header "Name: value"]...
  status                key thumbprint, file locations, token expiry
  logout                forget the tokens (the key stays)
  help                  this text (also --help, -h)

options (environment variable in brackets):
  --issuer URL          authorization server [MOBILE_ISSUER] (http://localhost:4000)
  --resource URL        resource indicator of the edge [MOBILE_RESOURCE] (http://localhost:3000)
  --scope S             [MOBILE_SCOPE] ("orders:read orders:write")
  --client-id ID        [MOBILE_CLIENT_ID] (mobile)
  --state-dir DIR       key and token files, mode 0600 [MOBILE_STATE_DIR] (.estate/mobile)
  --allow-http          allow http to non-loopback hosts [MOBILE_ALLOW_HTTP=1]
`;

export type Command =
  | { readonly name: 'login'; readonly credentials: Credentials | undefined }
  | { readonly name: 'refresh' | 'status' | 'logout' }
  | { readonly name: 'help' }
  | {
      readonly name: 'call';
      readonly url: string;
      readonly method: string;
      readonly body: string | undefined;
      readonly headers: ReadonlyArray<readonly [string, string]>;
    };

export interface Invocation {
  readonly command: Command;
  readonly options: Partial<MobileOptions>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

type Env = Readonly<Record<string, string | undefined>>;

function header(raw: string): readonly [string, string] {
  const colon = raw.indexOf(':');
  if (colon < 1) throw new UsageError(`--header must look like "Name: value", got "${raw}"`);
  return [raw.slice(0, colon).trim(), raw.slice(colon + 1).trim()];
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}

export function parseInvocation(argv: readonly string[], env: Env): Invocation {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      issuer: { type: 'string' },
      resource: { type: 'string' },
      scope: { type: 'string' },
      'client-id': { type: 'string' },
      'state-dir': { type: 'string' },
      'allow-http': { type: 'boolean' },
      username: { type: 'string' },
      password: { type: 'string' },
      method: { type: 'string' },
      data: { type: 'string' },
      header: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const options: Partial<MobileOptions> = definedOnly({
    issuer: values.issuer ?? env['MOBILE_ISSUER'],
    resource: values.resource ?? env['MOBILE_RESOURCE'],
    scope: values.scope ?? env['MOBILE_SCOPE'],
    clientId: values['client-id'] ?? env['MOBILE_CLIENT_ID'],
    stateDir: values['state-dir'] ?? env['MOBILE_STATE_DIR'],
    allowHttp: values['allow-http'] ?? (env['MOBILE_ALLOW_HTTP'] === '1' ? true : undefined),
  });
  const [name, ...rest] = positionals;
  // `--help` anywhere wins over the command, as git and npm do: `mobile call --help` asks for help.
  if (values.help === true || name === 'help') return { command: { name: 'help' }, options };
  switch (name) {
    case 'login': {
      const username = values.username ?? env['MOBILE_USERNAME'];
      const password = values.password ?? env['MOBILE_PASSWORD'];
      if (username !== undefined && password === undefined) throw new UsageError('--username needs --password or MOBILE_PASSWORD');
      return { command: { name, credentials: username === undefined ? undefined : { username, password: password! } }, options };
    }
    case 'refresh':
    case 'status':
    case 'logout':
      return { command: { name }, options };
    case 'call': {
      if (rest.length !== 1) throw new UsageError('call needs exactly one URL');
      const command = {
        name,
        url: rest[0]!,
        method: (values.method ?? (values.data === undefined ? 'GET' : 'POST')).toUpperCase(),
        body: values.data,
        headers: (values.header ?? []).map(header),
      } as const;
      return { command, options };
    }
    default:
      throw new UsageError(name === undefined ? 'no command given' : `unknown command "${name}"`);
  }
}
