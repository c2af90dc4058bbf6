/**
 * The SPA in a real browser (Debian's Chromium, driven by playwright-core) against real
 * processes: apps/auth issues the tokens, the edge checks them, the SPA's static server serves
 * the page from a third origin. Nothing is stubbed: the login goes through the real form, the
 * page's DPoP key lives in the browser's IndexedDB, and every call crosses origins under CORS.
 *
 * One journey, in order: log in, look at the key, place and read an order (edge -> STS ->
 * orders -> inventory over mTLS NATS), refresh, lift the token out and replay it from Node, log out.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { calculateJwkThumbprint, decodeJwt } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { startBrowserEstate, type BrowserEstate } from './support/browser-estate.js';
import { launchChromium } from './support/chromium.js';
import { INSPECT_STORED_KEY, LIFT_ACCESS_TOKEN, READ_ANSWERS, type StoredKeyReport } from './support/in-page.js';
import { NodeThief, replayWithoutProof } from './support/stolen-token-replay.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

const ALICE = { username: 'alice', password: 'wonderland' };
const START_TIMEOUT_MS = 90_000;
const STEP_TIMEOUT_MS = 15_000;

/** A response the browser received, as the network saw it (CORS does not hide headers here). */
interface Seen {
  readonly method: string;
  readonly url: URL;
  readonly status: number;
  readonly wwwAuthenticate: string | undefined;
  readonly dpopNonce: string | undefined;
}

interface ShownAnswer {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly nonceRetried: boolean;
  readonly text: string;
}

describe('SPA in Chromium: login, DPoP from a non-extractable key, calls to the edge', () => {
  let estate: BrowserEstate;
  let browser: Browser;
  let page: Page;
  const seen: Seen[] = [];
  let thumbprint = '';

  beforeAll(async () => {
    estate = await startBrowserEstate();
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on('response', (response) => {
      const headers = response.headers();
      seen.push({
        method: response.request().method(),
        url: new URL(response.url()),
        status: response.status(),
        wwwAuthenticate: headers['www-authenticate'],
        dpopNonce: headers['dpop-nonce'],
      });
    });
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await estate?.stop();
  }, PROCESS_HOOK_TIMEOUT_MS);

  function seenAt(origin: string, path: string, method: string): Seen[] {
    return seen.filter((entry) => entry.url.origin === origin && entry.url.pathname === path && entry.method === method);
  }

  async function answers(): Promise<ShownAnswer[]> {
    return (await page.evaluate(READ_ANSWERS)) as ShownAnswer[];
  }

  async function whoIs(name: string): Promise<void> {
    await page.locator('#who', { hasText: new RegExp(`^${name}$`) }).waitFor();
  }

  /** Clicks a button and returns the answer it added to the list (the list is newest first). */
  async function clickForAnswer(button: string): Promise<ShownAnswer> {
    const before = (await answers()).length;
    await page.click(button);
    // A locator, not waitForFunction: the page's CSP (no 'unsafe-eval') refuses string predicates.
    await page.locator('#responses li.response').nth(before).waitFor({ state: 'attached' });
    await page.locator('#status[data-state="ready"]').waitFor();
    return (await answers())[0]!;
  }

  async function ready(): Promise<void> {
    await page.locator('#status[data-state="ready"], #status[data-state="failed"]').waitFor();
    const state = await page.locator('#status').getAttribute('data-state');
    if (state !== 'ready') throw new Error(`the page failed to start: ${await page.locator('#responses').innerText()}`);
  }

  it('logs in through the real login form (code + PKCE, DPoP at the token endpoint, nonce retry) and shows who is logged in', async () => {
    await page.goto(`${estate.spaUrl}/`);
    await ready();
    thumbprint = (await page.locator('#jkt').textContent()) ?? '';
    expect(thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await page.locator('#who').textContent()).toBe('nobody');

    await page.click('#login');
    await page.waitForURL((url) => url.origin === estate.issuer && url.pathname.startsWith('/interaction/'));
    await page.fill('#username', ALICE.username);
    await page.fill('#password', ALICE.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    // Back on the SPA: the code is redeemed, the address bar no longer shows it, /v1/me answers.
    await page.waitForURL(`${estate.spaUrl}/`);
    await ready();
    await whoIs('alice');
    const [me] = await answers();
    expect(me).toMatchObject({ method: 'GET', path: '/v1/me', status: 200 });
    expect(JSON.parse(me!.text)).toEqual({ sub: 'alice', client_id: 'spa', scope: 'orders:read orders:write', confirmation: 'dpop', jkt: thumbprint });

    // The authorization request carried PKCE S256 and bound the code to the key (dpop_jkt).
    const authorize = seen.find((entry) => entry.url.origin === estate.issuer && entry.url.pathname === '/auth');
    expect(authorize?.url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize?.url.searchParams.get('dpop_jkt')).toBe(thumbprint);
    // RFC 9449 §8: the token endpoint asked for a nonce, the page retried once with it.
    const token = seenAt(estate.issuer, '/token', 'POST');
    expect(token.map((entry) => entry.status)).toEqual([400, 200]);
    expect(token[0]!.dpopNonce).toBeDefined();
  });

  it('E15/E24: the edge asked the page for a nonce and the page, reading the exposed headers, retried once', async () => {
    const calls = seenAt(estate.edgeUrl, '/v1/me', 'GET');
    expect(calls.map((entry) => entry.status)).toEqual([401, 200]);
    expect(calls[0]!.wwwAuthenticate).toMatch(/^DPoP error="use_dpop_nonce"/);
    expect(calls[0]!.dpopNonce).toBeDefined();
    expect((await answers())[0]!.nonceRetried).toBe(true);
    // The next call carries the nonce the edge rotated on success: no second refusal.
    expect(await clickForAnswer('#call-me')).toMatchObject({ path: '/v1/me', status: 200, nonceRetried: false });
  });

  it('E24: the preflight admits the SPA origin with Authorization and DPoP; another origin gets no CORS grant', async () => {
    const preflight = (origin: string) =>
      fetch(`${estate.edgeUrl}/v1/me`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization,dpop' },
      });
    const admitted = await preflight(estate.spaUrl);
    expect(admitted.status).toBeLessThan(300);
    expect(admitted.headers.get('access-control-allow-origin')).toBe(estate.spaUrl);
    const allowed = (admitted.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(['authorization', 'dpop']));
    const foreign = await preflight('http://localhost:1');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps the DPoP private key in IndexedDB as a non-extractable CryptoKey, the same key after a reload', async () => {
    const report = (await page.evaluate(INSPECT_STORED_KEY)) as StoredKeyReport;
    expect(report).toMatchObject({
      found: true,
      type: 'private',
      extractable: false,
      algorithm: { name: 'ECDSA', namedCurve: 'P-256' },
      usages: ['sign'],
      exportAttempts: { jwk: 'InvalidAccessError', pkcs8: 'InvalidAccessError' },
    });
    // The public half is what the token is bound to: cnf.jkt = its RFC 7638 thumbprint.
    expect(await calculateJwkThumbprint(report.publicJwk!, 'sha256')).toBe(thumbprint);

    await page.reload();
    await ready();
    expect(await page.locator('#jkt').textContent()).toBe(thumbprint);
    await whoIs('alice');
  });

  it('orders: places an order and reads it back through the page, across every internal hop', async () => {
    const placed = await clickForAnswer('#place-order');
    expect(placed).toMatchObject({ method: 'POST', path: '/v1/orders' });
    if (placed.status !== 201) throw new Error(`POST /v1/orders answered ${placed.status}: ${placed.text}\n${estate.output()}`);
    expect(JSON.parse(placed.text)).toMatchObject({ sku: 'A-1', quantity: 1, owner: 'alice', status: 'reserved' });
    const id = await page.inputValue('#order-id');
    expect(id).not.toBe('');
    // O1 "Seeing it": the page draws the order's path, one box per hop, from the answer's actor
    // chains; each internal hop's token names the callee and is bound to the caller's certificate.
    const hops = await page.$$eval('#order-path li.hop', (boxes) => boxes.map((box) => ({ hop: box.getAttribute('data-hop'), text: box.textContent ?? '' })));
    expect(hops.map((box) => box.hop)).toEqual(['edge', 'orders', 'inventory']);
    expect(hops[0]!.text).toContain('this browser, for alice');
    expect(hops[1]!.text).toContain('called byspiffe://estate.local/edge');
    expect(hops[1]!.text).toContain('token audiencespiffe://estate.local/orders');
    expect(hops[2]!.text).toContain('called byspiffe://estate.local/orders');
    expect(hops[2]!.text).toContain('token audiencespiffe://estate.local/inventory');
    for (const box of hops.slice(1)) expect(box.text).toContain('x5t#S256 of the caller\'s certificate');
    expect(hops.map((box) => box.text).join('')).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // no token or proof drawn
    const read = await clickForAnswer('#get-order');
    expect(read).toMatchObject({ method: 'GET', path: `/v1/orders/${encodeURIComponent(id)}`, status: 200 });
    expect(JSON.parse(read.text)).toMatchObject({ sku: 'A-1', quantity: 1 });
  });

  it('refreshes with a DPoP proof from the same key; the new token is bound to it too', async () => {
    const before = (await page.evaluate(LIFT_ACCESS_TOKEN)) as string;
    await page.click('#refresh');
    await page.locator('#responses li.event', { hasText: 'Tokens refreshed' }).waitFor();
    const after = (await page.evaluate(LIFT_ACCESS_TOKEN)) as string;
    expect(after).not.toBe(before);
    expect(decodeJwt(after)['cnf']).toEqual({ jkt: thumbprint });
    expect(await clickForAnswer('#call-me')).toMatchObject({ path: '/v1/me', status: 200 });
  });

  it('E20: the token lifted out of the page and replayed from Node with a new key is 401 invalid_token', async () => {
    const token = (await page.evaluate(LIFT_ACCESS_TOKEN)) as string;
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: 'alice', client_id: 'spa', aud: estate.edgeUrl, cnf: { jkt: thumbprint } });
    const thief = await NodeThief.create();
    expect(thief.jkt).not.toBe(thumbprint);
    const answer = await thief.replayWithOwnKey(`${estate.edgeUrl}/v1/me`, token);
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: 'invalid_token' });
    expect(answer.wwwAuthenticate).toMatch(/^DPoP error="invalid_token"/);
  });

  it('E5: the lifted token with no proof fails: 401 invalid_token as Bearer (downgrade), 400 invalid_request as DPoP', async () => {
    const token = (await page.evaluate(LIFT_ACCESS_TOKEN)) as string;
    const bearer = await replayWithoutProof(`${estate.edgeUrl}/v1/me`, token, 'Bearer');
    expect(bearer.status).toBe(401);
    expect(bearer.body).toMatchObject({ error: 'invalid_token' });
    const dpop = await replayWithoutProof(`${estate.edgeUrl}/v1/me`, token, 'DPoP');
    expect(dpop.status).toBe(400);
    expect(dpop.body).toMatchObject({ error: 'invalid_request' });
    // The page, holding the key, still gets in with the same token.
    expect(await clickForAnswer('#call-me')).toMatchObject({ path: '/v1/me', status: 200 });
  });

  it('logs out: the tokens are gone from the page, the key stays', async () => {
    await page.click('#logout');
    await whoIs('nobody');
    expect(await page.evaluate(LIFT_ACCESS_TOKEN)).toBeNull();
    expect(((await page.evaluate(INSPECT_STORED_KEY)) as StoredKeyReport).found).toBe(true);
    // The revocation went to the authorization server cross-origin and was accepted.
    expect(seenAt(estate.issuer, '/token/revocation', 'POST').map((entry) => entry.status)).toEqual([200]);
  });
});
