/**
 * Plays the user's browser for a scripted login (tests, demos): opens the authorization URL,
 * follows redirects with the server's cookies, fills in the login form it is shown, and finally
 * delivers the redirect to the app's loopback listener, exactly as a browser would. It goes
 * through the real authorization endpoint and the real login page; the server has no shortcut.
 *
 * Does not run scripts or render anything; it expects a server that redirects and shows one
 * form with a password field (apps/auth does).
 */
import { CookieJar } from './cookie-jar.js';
import { findLoginForm } from './login-form.js';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export class ScriptedLoginError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScriptedLoginError';
  }
}

const MAX_STEPS = 12; // authorize, login page, post, resume, consent, resume, callback: 7 today

interface Step {
  readonly url: URL;
  readonly form?: URLSearchParams;
}

// A short, tag-free excerpt of an unexpected page, for the error message.
function excerpt(html: string): string {
  return html.replace(/<style[\s\S]*?<\/style>/gi, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
}

function isRedirectTo(url: URL, redirectUri: URL): boolean {
  return url.origin === redirectUri.origin && url.pathname === redirectUri.pathname;
}

/** Walks from the authorization URL to the redirect URI; resolves once the redirect is delivered. */
export async function runScriptedLogin(authorizationUrl: URL, redirectUri: string, credentials: Credentials): Promise<void> {
  const jar = new CookieJar();
  const target = new URL(redirectUri);
  let step: Step = { url: authorizationUrl };
  let submitted = false;

  for (let count = 0; count < MAX_STEPS; count++) {
    const headers = new Headers({ accept: 'text/html' });
    const cookie = jar.header(step.url);
    if (cookie !== undefined) headers.set('cookie', cookie);
    if (step.form !== undefined) headers.set('content-type', 'application/x-www-form-urlencoded');
    const response = await fetch(step.url, {
      method: step.form === undefined ? 'GET' : 'POST',
      headers,
      body: step.form?.toString(),
      redirect: 'manual',
    });
    jar.store(step.url, response.headers.getSetCookie());

    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      const next = new URL(location, step.url);
      if (isRedirectTo(next, target)) {
        // Deliver the authorization response to the app's listener, as the browser would.
        const delivered = await fetch(next);
        await delivered.body?.cancel();
        return;
      }
      step = { url: next };
      continue;
    }

    const html = await response.text();
    const form = findLoginForm(html, step.url);
    if (form === undefined) {
      throw new ScriptedLoginError(`unexpected ${response.status} from ${step.url.origin}${step.url.pathname}: ${excerpt(html)}`);
    }
    if (submitted) throw new ScriptedLoginError(`login refused (${response.status}): ${excerpt(html)}`);
    // The password goes only to the authorization server that the login started at.
    if (form.action.origin !== authorizationUrl.origin) {
      throw new ScriptedLoginError(`the login form posts to ${form.action.origin}, not the authorization server`);
    }
    submitted = true;
    const fields = new URLSearchParams();
    for (const [name, value] of form.hiddenFields) fields.append(name, value);
    fields.set('username', credentials.username);
    fields.set('password', credentials.password);
    step = { url: form.action, form: fields };
  }
  throw new ScriptedLoginError(`no redirect to ${redirectUri} after ${MAX_STEPS} steps`);
}
