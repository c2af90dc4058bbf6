/**
 * The plain HTML login page for the demo: a form that posts a username and password back to the
 * interaction it belongs to. No script, no external resources, not framable, not cached.
 *
 * The mobile client's scripted login reads this form like a browser would (its `action` and its
 * fields), so keep one form, named fields `username` and `password`, and hidden inputs for
 * anything else it must send back.
 */
import type { ServerResponse } from 'node:http';

export interface LoginPageModel {
  readonly uid: string;
  readonly clientId: string;
  readonly scope: string;
  readonly username?: string;
  readonly error?: string;
}

const SECURITY_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  // form-action is left out on purpose: browsers apply it to the redirect chain after the POST,
  // which ends at the client's redirect URI on another origin.
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
} as const;

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function renderLoginPage(model: LoginPageModel): string {
  const uid = encodeURIComponent(model.uid);
  const error = model.error === undefined ? '' : `<p role="alert" class="error">${escapeHtml(model.error)}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in (demo)</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 26rem; margin: 4rem auto; padding: 0 1rem; }
  label, input, button { display: block; width: 100%; box-sizing: border-box; margin-top: .5rem; }
  input, button { padding: .5rem; font-size: 1rem; }
  .demo { background: #fff3cd; padding: .5rem; }
  .error { color: #b00020; }
</style>
</head>
<body>
<h1>Sign in</h1>
<p class="demo"><strong>Demo only.</strong> Development users from AUTH_DEV_USERS; not a real identity store.</p>
<p>Continue to <strong>${escapeHtml(model.clientId)}</strong>, asking for: <code>${escapeHtml(model.scope)}</code></p>
${error}
<form method="post" action="/interaction/${uid}/login" autocomplete="off">
  <label for="username">Username</label>
  <input id="username" name="username" required autofocus value="${escapeHtml(model.username ?? '')}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" required>
  <button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${uid}/abort">
  <button type="submit">Cancel</button>
</form>
</body>
</html>
`;
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, SECURITY_HEADERS);
  res.end(html);
}
