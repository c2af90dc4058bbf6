#!/usr/bin/env node
// Checks @hybrid-estate/binding the way its users take it (issue 14): packs libs/binding, installs
// the tarball into the Nest 12 ESM and Nest 11 CommonJS examples (and their dependencies from the
// npm registry), builds each with its own build, starts it on Express and on Fastify against a
// local test issuer and runs the request matrix; then follows the documented copy recipe (the
// source without its tests) in the Nest 12 example and runs the same matrix there; last, installs
// it without Nest at all and loads `.`, `./dpop` and `./hop` there (issue 13: nest/ is a leaf).
//
//   node examples/verify.mjs            # after `npm ci` and `npm run build` at the top
//   node examples/verify.mjs --keep     # keeps the work folder (printed) for a look inside
//
// Work happens in a temporary folder; nothing is written into the repository.
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const LIBRARY = join(ROOT, 'libs/binding');
const AUDIENCE = 'https://api.example.test';
const START_TIMEOUT_MS = 30_000; // milliseconds for an app to say it listens
const keep = process.argv.includes('--keep');
const started = Date.now();

const work = await mkdtemp(join(tmpdir(), 'binding-examples-'));
const children = new Set();
process.on('exit', () => { for (const child of children) child.kill('SIGKILL'); });

try {
  const tarball = await pack();
  const issuer = await startIssuer();
  try {
    for (const example of ['nest12-esm', 'nest11-cjs']) {
      const folder = await copyExample(example, example);
      await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], folder);
      await checkInstalledSurface(folder);
      await run('npm', ['run', 'build'], folder);
      for (const adapter of ['express', 'fastify']) await checkApp(`${example} ${adapter}`, folder, `dist/main-${adapter}.js`, issuer);
    }
    // The Nest 11 app once more as older set-ups compile it ("module": "commonjs", node10 resolution).
    const legacy = join(work, 'nest11-cjs');
    await run('npm', ['run', 'build:commonjs'], legacy);
    await checkApp('nest11-cjs express, module commonjs (node10)', legacy, 'dist-commonjs/main-express.js', issuer);
    await checkHopEntries(legacy);
    const copied = await copyRecipe();
    for (const adapter of ['express', 'fastify']) await checkApp(`copy recipe (nest12-esm) ${adapter}`, copied, `dist/main-${adapter}.js`, issuer);
    await checkWithoutNest(tarball);
  } finally {
    issuer.stop();
  }
  console.log(`::: examples verified in ${Math.round((Date.now() - started) / 1000)} s`);
} finally {
  if (keep) console.log(`::: kept ${work}`);
  else await rm(work, { recursive: true, force: true });
}

/** `npm pack` in libs/binding (prepack builds it), then the tarball's contents checked. */
async function pack() {
  const output = await run('npm', ['pack', '--pack-destination', work], LIBRARY, { quiet: true });
  const tarball = join(work, output.trim().split('\n').pop());
  const files = (await run('tar', ['-tzf', tarball], work, { quiet: true })).trim().split('\n').map((line) => line.replace(/^package\//, ''));
  const forbidden = files.filter((file) => /\.spec\.|\.spec-helper\.|\.fixture\.|test-support\/|\.tsbuildinfo$|\.ts$/.test(file) && !file.endsWith('.d.ts'));
  if (forbidden.length > 0) throw new Error(`the tarball holds test or source files: ${forbidden.join(', ')}`);
  const manifest = JSON.parse(await readFile(join(LIBRARY, 'package.json'), 'utf8'));
  for (const [entry, target] of Object.entries(manifest.exports)) {
    const paths = typeof target === 'string' ? [target] : [target.types, target.default];
    for (const path of paths) if (!files.includes(path.replace(/^\.\//, ''))) throw new Error(`export ${entry}: ${path} is not in the tarball`);
  }
  console.log(`::: packed ${relative(work, tarball)}: ${files.length} files, no specs, helpers, fixtures or sources`);
  return tarball;
}

/** An HTTP-only service pulls only what `.`, `./dpop` and `./nest` need: none of the NATS side. */
async function checkInstalledSurface(folder) {
  const installed = await readdir(join(folder, 'node_modules'));
  const scoped = async (scope) => (installed.includes(scope) ? (await readdir(join(folder, 'node_modules', scope))).map((name) => `${scope}/${name}`) : []);
  const all = [...installed, ...(await scoped('@nats-io')), ...(await scoped('@peculiar')), ...(await scoped('@nestjs'))];
  const unwanted = all.filter((name) => ['@nestjs/microservices', 'canonicalize', '@peculiar/x509'].includes(name) || name.startsWith('@nats-io/'));
  if (unwanted.length > 0) throw new Error(`an HTTP-only install pulled in ${unwanted.join(', ')}`);
}

/**
 * The NATS side in the Nest 11 CommonJS app: with its optional peers installed (Nest 11's
 * @nestjs/microservices, the NATS client, x509, canonicalize 2.x), `./hop` and `./nest/rpc` load
 * through require(esm), and a refusal maps to Nest 11's own RpcException class (H13).
 */
async function checkHopEntries(folder) {
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline',
    '@nestjs/microservices@^11', '@nats-io/jetstream@^3.4.0', '@nats-io/kv@^3.4.0', '@nats-io/transport-node@^3.4.0', '@peculiar/x509@^2.2.0', 'canonicalize@^2.1.0'], folder);
  const script = [
    "const hop = require('@hybrid-estate/binding/hop');",
    "const rpc = require('@hybrid-estate/binding/nest/rpc');",
    "const { RpcException } = require('@nestjs/microservices');",
    "const refusal = { code: 'invalid_token', type: 'token_invalid', status: 401, message: 'refused' };",
    "const error = rpc.toRpcException(refusal);",
    "if (!(error instanceof RpcException) || error.getError() !== refusal) throw new Error('toRpcException does not give Nest 11 RpcException');",
    "for (const name of ['createHopVerifier', 'createOutboundClient', 'createCertificatePathValidator', 'JetStreamReplayStore']) if (typeof hop[name] !== 'function') throw new Error(name + ' missing');",
    "console.log('hop entries ok');",
  ].join('\n');
  const output = await run(process.execPath, ['-e', script], folder, { quiet: true });
  if (!output.includes('hop entries ok')) throw new Error(`hop entries: ${output}`);
  console.log('::: nest11-cjs with the NATS side\'s peers: ./hop and ./nest/rpc load by require(esm); refusals are Nest 11 RpcExceptions');
}

/**
 * Issue 13: a user without Nest. The tarball and the NATS side's peers only (no @nestjs/*, no
 * rxjs) in a plain ESM folder: `.`, `./dpop` and `./hop` load and build their verifiers and the
 * outbound client (over a transport of the user's own), while `./nest` fails for want of
 * @nestjs/common, which shows that Nest is really absent there.
 */
async function checkWithoutNest(tarball) {
  const folder = join(work, 'without-nest');
  await mkdir(folder);
  await writeFile(join(folder, 'package.json'), JSON.stringify({ name: 'without-nest', private: true, type: 'module' }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball,
    '@nats-io/jetstream@^3.4.0', '@nats-io/kv@^3.4.0', '@nats-io/transport-node@^3.4.0', '@peculiar/x509@^2.2.0', 'canonicalize@^2.1.0', 'reflect-metadata@^0.2.2'], folder);
  const installed = await readdir(join(folder, 'node_modules'));
  const nest = installed.filter((name) => name === '@nestjs' || name === 'rxjs');
  if (nest.length > 0) throw new Error(`a plain install pulled in ${nest.join(', ')}`);
  const script = [
    "const core = await import('@hybrid-estate/binding');",
    "const dpop = await import('@hybrid-estate/binding/dpop');",
    "const hop = await import('@hybrid-estate/binding/hop');",
    "const { createLocalJWKSet } = await import('jose');",
    "const keys = createLocalJWKSet({ keys: [] });",
    "const tokenVerifier = core.createAccessTokenVerifier({ issuer: 'https://issuer.example', audience: 'https://api.example', keys });",
    "dpop.createDpopVerifier({ tokenVerifier, replayStore: new core.MemoryReplayStore(), origins: ['https://api.example'] });",
    "const transport = { request: async () => { throw new Error('not sent'); } };",
    "hop.createOutboundClient({ transport, signer: { certificateThumbprint: 'x', sign: async () => 'proof' }, stsAudience: 'spiffe://estate.local/sts' });",
    "for (const name of ['createHopVerifier', 'createCertificatePathValidator', 'JetStreamReplayStore', 'createNatsKeySet']) if (typeof hop[name] !== 'function') throw new Error(name + ' missing');",
    "if (new core.SubjectToken('t', core.ACCESS_TOKEN_TYPE, 1).type !== core.ACCESS_TOKEN_TYPE || !hop.COVERED_HEADERS.includes('traceparent')) throw new Error('shared names missing');",
    "const refused = await import('@hybrid-estate/binding/nest').then(() => 'loaded', (error) => error.code === 'ERR_MODULE_NOT_FOUND' && /@nestjs\\/common/.test(error.message) ? 'refused' : String(error));",
    "if (refused !== 'refused') throw new Error('./nest without @nestjs/common: ' + refused);",
    "console.log('without nest ok');",
  ].join('\n');
  await writeFile(join(folder, 'check.mjs'), script);
  const output = await run(process.execPath, ['check.mjs'], folder, { quiet: true });
  if (!output.includes('without nest ok')) throw new Error(`without nest: ${output}`);
  console.log('::: without Nest (no @nestjs/*, no rxjs installed): `.`, `./dpop` and `./hop` load and build; `./nest` asks for @nestjs/common');
}

async function copyExample(example, as) {
  const folder = join(work, as);
  await cp(join(ROOT, 'examples', example), folder, { recursive: true, filter: (source) => !/[/\\](node_modules|dist|dist-commonjs)$/.test(source) });
  return folder;
}

/**
 * The documented copy recipe, followed literally: the library's source without specs, spec
 * helpers and fixtures into src/binding; jose and lru-cache as dependencies; the NATS side's
 * packages only to compile (dev); imports pointing at the copied entry points. After the build
 * those packages are deleted, so the run proves the HTTP path never loads them.
 */
async function copyRecipe() {
  const folder = await copyExample('nest12-esm', 'nest12-copy');
  const target = join(folder, 'src/binding');
  await cp(join(LIBRARY, 'src'), target, { recursive: true, filter: (source) => !/\.(spec|spec-helper|fixture)\.ts$/.test(source) });
  for (const name of await readdir(join(folder, 'src'))) {
    if (!name.endsWith('.ts')) continue;
    const file = join(folder, 'src', name);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/'@hybrid-estate\/binding(?:\/([a-z/]+))?'/g, (_match, entry) => `'./binding/entries/${entry ?? 'core'}.js'`));
  }
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', 'jose@^6.2.18', 'lru-cache@^11.5.3'], folder);
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev',
    '@nestjs/microservices@^12', '@nats-io/jetstream@^3.4.0', '@nats-io/kv@^3.4.0', '@nats-io/transport-node@^3.4.0', '@peculiar/x509@^2.2.0', 'canonicalize@^2.1.0'], folder);
  await run('npm', ['run', 'build'], folder);
  // npm keeps optional peers of Nest that are installed, even with --omit=dev: remove them by hand.
  for (const name of ['@nestjs/microservices', '@nats-io', '@peculiar', 'canonicalize']) await rm(join(folder, 'node_modules', name), { recursive: true, force: true });
  await checkInstalledSurface(folder);
  return folder;
}

/** Starts one app and runs the request matrix against it (SECURITY.md E5, E13, E17, E20, E22). */
async function checkApp(name, folder, main, issuer) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const app = await startApp(folder, main, { ISSUER: issuer.issuer, AUDIENCE, PUBLIC_ORIGIN: origin, PORT: String(port) });
  try {
    const client = await dpopKey();
    const other = await dpopKey();
    const token = await issuer.mint({ jkt: client.jkt, scope: 'orders:read' });
    const results = [];
    const expect = async (title, response, status, challenge) => {
      const header = response.headers.get('www-authenticate') ?? '';
      const ok = response.status === status && (challenge === undefined || (challenge.test(header) && /algs="[^"]+"/.test(header)));
      results.push(`${ok ? 'ok  ' : 'FAIL'} ${title}: ${response.status} ${header}`);
      if (!ok) throw new Error(`${name}: ${title}: expected ${status} ${challenge ?? ''}, got ${response.status} ${header}\n${results.join('\n')}`);
    };
    const get = (path, headers) => fetch(`${origin}${path}`, { headers });

    const proof = await client.proof('GET', `${origin}/me`, token);
    const legit = await get('/me', { authorization: `DPoP ${token}`, dpop: proof });
    await expect('legitimate request', legit, 200);
    const body = await legit.json();
    if (body.sub !== 'user-42' || body.jkt !== client.jkt) throw new Error(`${name}: unexpected principal ${JSON.stringify(body)}`);
    await expect('E17 replayed proof', await get('/me', { authorization: `DPoP ${token}`, dpop: proof }), 401, /^DPoP error="invalid_dpop_proof"/);
    await expect('E5 Bearer downgrade of a bound token', await get('/me', { authorization: `Bearer ${token}` }), 401, /^DPoP error="invalid_token"/);
    await expect('E13 proof for another URL', await get('/me', { authorization: `DPoP ${token}`, dpop: await client.proof('GET', `${origin}/other`, token) }), 401, /^DPoP error="invalid_dpop_proof"/);
    const foreign = await issuer.mint({ jkt: other.jkt, scope: 'orders:read' });
    await expect('E20 token bound to another key', await get('/me', { authorization: `DPoP ${foreign}`, dpop: await client.proof('GET', `${origin}/me`, foreign) }), 401, /^DPoP error="invalid_token"/);
    await expect('E22 missing scope', await get('/admin', { authorization: `DPoP ${token}`, dpop: await client.proof('GET', `${origin}/admin`, token) }), 403, /^DPoP error="insufficient_scope"/);
    await expect('E22 no credentials', await get('/me', {}), 401, /^DPoP algs=/);
    console.log(`::: ${name}\n    ${results.join('\n    ')}`);
  } finally {
    await stopApp(app);
  }
}

/** A DPoP client key and RFC 9449 §4.2 proofs with `ath`. */
async function dpopKey() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return {
    jkt: await calculateJwkThumbprint(jwk, 'sha256'),
    proof: (htm, htu, token) =>
      new SignJWT({ htm, htu, iat: Math.floor(Date.now() / 1000), jti: randomUUID(), ath: createHash('sha256').update(token).digest('base64url') })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
        .sign(privateKey),
  };
}

/** A local authorization server's key side: RFC 8414 metadata, a JWKS, DPoP-bound at+jwt tokens. */
async function startIssuer() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = randomUUID();
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] };
  let issuer = '';
  const server = createServer((request, response) => {
    const body = request.url === '/.well-known/oauth-authorization-server' ? { issuer, jwks_uri: `${issuer}/jwks` } : request.url === '/jwks' ? jwks : undefined;
    if (body === undefined) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${server.address().port}`;
  return {
    issuer,
    mint: ({ jkt, scope }) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ scope, client_id: 'example-client', cnf: { jkt } })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
        .setIssuer(issuer).setSubject('user-42').setAudience(AUDIENCE).setIssuedAt(now).setExpirationTime(now + 300).setJti(randomUUID())
        .sign(privateKey);
    },
    stop: () => { server.closeAllConnections(); server.close(); },
  };
}

async function startApp(folder, main, env) {
  const child = spawn(process.execPath, [main], { cwd: folder, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${main} did not listen within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    const read = (chunk) => {
      output += chunk;
      if (/listening on /.test(output)) { clearTimeout(timer); resolve(); }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${main} exited with ${code}:\n${output}`)); });
  });
  return child;
}

async function stopApp(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  children.delete(child);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs a command; its output is shown only when it fails (or returned when `quiet`). */
function run(command, args, cwd, { quiet = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, npm_config_update_notifier: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) {
        if (!quiet) console.log(`    ${command} ${args.join(' ')} (${relative(work, cwd) || relative(ROOT, cwd) || '.'}): ok`);
        resolve(stdout);
      } else {
        reject(new Error(`${command} ${args.join(' ')} in ${cwd} exited with ${code}:\n${stdout}\n${stderr}`));
      }
    });
  });
}
