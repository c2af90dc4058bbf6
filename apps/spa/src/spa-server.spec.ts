import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpaConfig } from './spa-config.js';
import { contentSecurityPolicy, startSpaServer, type SpaServer } from './spa-server.js';

const config = loadSpaConfig({ SPA_PORT: '0', SPA_PUBLIC_URL: 'http://localhost:5173', AUTH_ISSUER: 'http://localhost:4000', EDGE_PUBLIC_URL: 'http://localhost:3000' });

/** A raw request, so paths like /../ reach the server unnormalised. */
function get(server: SpaServer, path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(`${server.url}/`, { method, path }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('SPA static server', () => {
  let folder: string;
  let server: SpaServer;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'spa-public-'));
    await writeFile(join(folder, 'index.html'), '<!doctype html><title>page</title>');
    await writeFile(join(folder, 'app.js'), 'console.log(1)');
    await writeFile(join(folder, 'spa.css'), 'body{}');
    await writeFile(join(folder, 'secret.txt'), 'not served');
    server = await startSpaServer(config, folder);
  });

  afterAll(async () => {
    await server?.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('serves the page at / and at the redirect URI path, never cached, with the security headers', async () => {
    for (const path of ['/', '/callback?code=abc&state=xyz&iss=http%3A%2F%2Flocalhost%3A4000']) {
      const answer = await get(server, path);
      expect(answer.status).toBe(200);
      expect(answer.body).toContain('<title>page</title>');
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['referrer-policy']).toBe('no-referrer');
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['content-security-policy']).toBe(contentSecurityPolicy(config));
    }
  });

  it('lets the page connect to itself, the authorization server and the edge only; no inline script, no framing', () => {
    const directives = contentSecurityPolicy(config).split('; ');
    expect(directives).toContain("connect-src 'self' http://localhost:4000 http://localhost:3000");
    expect(directives).toContain("script-src 'self'");
    expect(directives).toContain("frame-ancestors 'none'");
    expect(directives).toContain("default-src 'none'");
  });

  it('hands the page its settings as /config.json', async () => {
    const answer = await get(server, '/config.json');
    expect(answer.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answer.body)).toEqual({
      issuer: 'http://localhost:4000',
      clientId: 'spa',
      redirectUri: 'http://localhost:5173/callback',
      resource: 'http://localhost:3000',
      scope: 'orders:read orders:write',
      edgeUrl: 'http://localhost:3000',
    });
  });

  it('serves only its listed files: other names and traversal attempts are 404', async () => {
    expect((await get(server, '/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    for (const path of ['/secret.txt', '/../secret.txt', '/%2e%2e/secret.txt', '/index.html', '//app.js']) {
      expect((await get(server, path)).status).toBe(404);
    }
  });

  it('answers only GET and HEAD', async () => {
    const answer = await get(server, '/', 'POST');
    expect(answer.status).toBe(405);
    expect(answer.headers['allow']).toBe('GET, HEAD');
    expect((await get(server, '/healthz', 'HEAD')).status).toBe(200);
  });

  it('refuses to start without the built page', async () => {
    await expect(startSpaServer(config, join(folder, 'missing'))).rejects.toThrow(/index\.html is missing: run npm run build/);
  });
});
