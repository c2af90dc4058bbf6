/**
 * The mobile CLI: `node dist/apps/mobile/main.js login|refresh|call|status|logout` (npm run mobile
 * -- ...). Summaries go to stdout as one JSON object; tokens are never printed, only where they
 * are kept. `--help`/`-h` prints the usage on stdout. Exit status: 0 success (and help), 1 failure
 * (or a non-2xx answer to `call`), 64 bad usage (the usage then goes to stderr).
 */
import { parseInvocation, USAGE, UsageError, type Command } from './cli-arguments.js';
import { MobileClient } from './mobile-client.js';
import type { StoredTokens } from './session/token-store.js';

const EX_USAGE = 64;

function summary(client: MobileClient, tokens: StoredTokens | undefined): Record<string, unknown> {
  return {
    issuer: client.options.issuer,
    jkt: client.thumbprint,
    key_file: client.key.file,
    key_created: client.key.created,
    token_file: client.tokenFile,
    logged_in: tokens !== undefined,
    token_type: tokens?.token_type,
    scope: tokens?.scope,
    expires_at: tokens?.expires_at === undefined ? undefined : new Date(tokens.expires_at * 1000).toISOString(),
    has_refresh_token: tokens === undefined ? undefined : tokens.refresh_token !== undefined,
  };
}

async function run(command: Exclude<Command, { name: 'help' }>, client: MobileClient): Promise<number> {
  switch (command.name) {
    case 'login': {
      const tokens = await client.login(
        command.credentials === undefined
          ? { openAuthorizationUrl: (url) => void process.stderr.write(`Open this URL in a browser to sign in:\n\n  ${url.href}\n\n`) }
          : { credentials: command.credentials },
      );
      console.log(JSON.stringify(summary(client, tokens)));
      return 0;
    }
    case 'refresh':
      console.log(JSON.stringify(summary(client, await client.refresh())));
      return 0;
    case 'status':
      console.log(JSON.stringify(summary(client, client.tokens)));
      return 0;
    case 'logout':
      await client.logout();
      console.log(JSON.stringify(summary(client, undefined)));
      return 0;
    case 'call': {
      const response = await client.call(command.url, { method: command.method, body: command.body, headers: [...command.headers] });
      process.stderr.write(`HTTP ${response.status}\n`);
      for (const name of ['www-authenticate', 'dpop-nonce']) {
        const value = response.headers.get(name);
        if (value !== null) process.stderr.write(`${name}: ${value}\n`);
      }
      process.stdout.write(await response.text());
      return response.ok ? 0 : 1;
    }
  }
}

async function main(): Promise<number> {
  let invocation;
  try {
    invocation = parseInvocation(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`mobile: ${(error as Error).message}\n\n${USAGE}`);
      return EX_USAGE;
    }
    throw error;
  }
  // Help needs no key, no state directory and no issuer: answer it before opening any of them.
  if (invocation.command.name === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const client = await MobileClient.open(invocation.options);
  return run(invocation.command, client);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`mobile: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
