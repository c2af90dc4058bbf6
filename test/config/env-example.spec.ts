/**
 * .env.example against the apps' configuration schemas (issue 14 §5): it lists every variable a
 * schema names and nothing else (but the telemetry's standard OTEL_* and AUDIT_LOG, which
 * libs/estate/src/telemetry reads and documents, may be listed too), and each value it shows is that app's default (setting it changes
 * nothing), except the variables marked (required), whose values are examples. The compose check
 * finds an app's variables by the schema keys: every key is found.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ESTATE_VARIABLES, estateEnvironment, parseEnvironment, type Env } from '#estate';
import { AUTH_VARIABLES, loadAuthConfig } from '../../apps/auth/src/auth-config.js';
import { EDGE_VARIABLES, loadEdgeConfig } from '../../apps/edge/src/edge-config.js';
import { loadSpaConfig, SPA_VARIABLES } from '../../apps/spa/src/spa-config.js';
import { STS_VARIABLES, stsEnvironment } from '../../apps/sts/src/sts-config.js';
import { variablesReadIn } from '../compose/support/variables-read.js';

/** NAME=value lines; the value without its trailing comment or quotes. */
function envExample(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of readFileSync('.env.example', 'utf8').split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match === null) continue;
    const value = match[2]!.split(/\s+#/)[0]!.trim().replace(/^"(.*)"$/, '$1');
    expect(entries.has(match[1]!)).toBe(false); // listed once
    entries.set(match[1]!, value);
  }
  return entries;
}

const example = envExample();

/** Each app's (or concern's) schema keys, how it loads with only its required variables, and those. */
const SCHEMAS = {
  edge: { keys: Object.keys(EDGE_VARIABLES), required: { AUTH_ISSUER: 'http://127.0.0.1:4000' }, load: (env: Env) => loadEdgeConfig(env) },
  sts: { keys: Object.keys(STS_VARIABLES), required: { AUTH_ISSUER: 'http://127.0.0.1:4000', EDGE_AUDIENCE: 'http://localhost:3000' }, load: (env: Env) => parseEnvironment(stsEnvironment, env) },
  auth: { keys: Object.keys(AUTH_VARIABLES), required: {}, load: (env: Env) => loadAuthConfig(env, '/') },
  spa: { keys: Object.keys(SPA_VARIABLES), required: {}, load: (env: Env) => loadSpaConfig(env) },
  // The TLS files are read after the schema; the schema's output is what the defaults decide.
  estate: { keys: Object.keys(ESTATE_VARIABLES), required: { NATS_URL: 'tls://127.0.0.1:4443', CERTS_DIR: 'certs/out' }, load: (env: Env) => parseEnvironment(estateEnvironment, env) },
} as const;

describe('.env.example', () => {
  it('lists every variable an app schema names, and only those', () => {
    const schemaKeys = new Set(Object.values(SCHEMAS).flatMap((schema) => schema.keys));
    const telemetry = variablesReadIn('libs/estate/src/telemetry');
    expect([...schemaKeys].filter((name) => !example.has(name)).sort()).toEqual([]);
    expect([...example.keys()].filter((name) => !schemaKeys.has(name) && !telemetry.has(name)).sort()).toEqual([]);
  });

  it.each(Object.keys(SCHEMAS) as (keyof typeof SCHEMAS)[])('shows %s\'s defaults: setting any listed value changes nothing', (app) => {
    const { keys, required, load } = SCHEMAS[app];
    const defaults = load(required);
    for (const name of keys) {
      const value = example.get(name);
      if (value === undefined || value === '' || name in required) continue;
      expect({ name, config: load({ ...required, [name]: value }) }).toEqual({ name, config: defaults });
    }
  });

  it('the check bites: a value that is not the default is told apart', () => {
    expect(loadEdgeConfig({ AUTH_ISSUER: 'http://127.0.0.1:4000', DPOP_IAT_PAST_S: '61' })).not.toEqual(loadEdgeConfig({ AUTH_ISSUER: 'http://127.0.0.1:4000' }));
  });

  it('the compose check finds every schema key in its app\'s sources (test/compose: "sets only variables its app reads")', () => {
    for (const app of ['edge', 'sts', 'auth', 'spa'] as const) {
      const found = variablesReadIn(`apps/${app}/src`);
      expect({ app, missing: SCHEMAS[app].keys.filter((name) => !found.has(name)) }).toEqual({ app, missing: [] });
    }
    const estate = variablesReadIn('libs/estate/src/config');
    expect(SCHEMAS.estate.keys.filter((name) => !estate.has(name))).toEqual([]);
  });
});
