/**
 * What the page shows, written with textContent only: nothing from a server or the URL is ever
 * parsed as HTML (the server's Content-Security-Policy also requires Trusted Types, so an
 * innerHTML assignment would throw).
 */
import type { EdgeAnswer } from './spa-client.js';

export type PageState = 'loading' | 'ready' | 'busy' | 'failed';

export function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}

export function showStatus(state: PageState, text: string): void {
  const status = element('status');
  status.dataset['state'] = state;
  status.textContent = text;
}

export function showThumbprint(jkt: string): void {
  element('jkt').textContent = jkt;
}

/** `who` is the `sub` the edge reported for the token, or undefined when signed out. */
export function showSession(signedIn: boolean, who: string | undefined): void {
  element('who').textContent = signedIn ? (who ?? '(signed in)') : 'nobody';
  element<HTMLButtonElement>('login').disabled = signedIn;
  for (const id of ['refresh', 'logout', 'call-me', 'place-order', 'get-order']) element<HTMLButtonElement>(id).disabled = !signedIn;
}

function entry(className: string, title: string, detail: string): HTMLLIElement {
  const item = document.createElement('li');
  item.className = className;
  const heading = document.createElement('strong');
  heading.textContent = title;
  const pre = document.createElement('pre');
  pre.textContent = detail;
  item.append(heading, pre);
  element('responses').prepend(item);
  return item;
}

export function showAnswer(answer: EdgeAnswer): void {
  const retried = answer.nonceRetried ? ' (after a use_dpop_nonce retry)' : '';
  const challenge = answer.wwwAuthenticate === undefined ? '' : `WWW-Authenticate: ${answer.wwwAuthenticate}\n`;
  const body = answer.body === undefined ? '(empty body)' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body, null, 2);
  const item = entry(answer.status < 400 ? 'response ok' : 'response refused', `${answer.method} ${answer.path} → ${answer.status}${retried}`, `${challenge}${body}`);
  item.dataset['method'] = answer.method;
  item.dataset['path'] = answer.path;
  item.dataset['status'] = String(answer.status);
  item.dataset['nonceRetried'] = String(answer.nonceRetried);
}

export function showEvent(title: string, detail: string): void {
  entry('event', title, detail);
}

export function showError(action: string, error: unknown): void {
  // oauth4webapi's errors carry a code and, for an OAuth error response, error/error_description.
  const details = error instanceof Error ? [`${error.name}: ${error.message}`] : [String(error)];
  const extra = error as { code?: unknown; error?: unknown; error_description?: unknown };
  if (typeof extra.code === 'string') details.push(`code: ${extra.code}`);
  if (typeof extra.error === 'string') details.push(`error: ${extra.error}`);
  if (typeof extra.error_description === 'string') details.push(`error_description: ${extra.error_description}`);
  entry('failure', `${action} failed`, details.join('\n'));
}
