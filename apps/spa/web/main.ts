/**
 * The page's wiring: settings, the non-extractable DPoP key, the OAuth client, then either the
 * end of a login (at /callback) or a signed-in or signed-out page. Buttons call the edge and
 * every answer is listed with its status and JSON body.
 */
import { loadOrCreateDpopKeyPair } from './dpop-key-store.js';
import { showOrderPath } from './order-path.js';
import { element, showAnswer, showError, showEvent, showSession, showStatus, showThumbprint } from './page-view.js';
import { SpaClient } from './spa-client.js';
import { loadSettings } from './spa-settings.js';

const CALLBACK_PATH = '/callback';

function subjectOf(body: unknown): string | undefined {
  const sub = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['sub'] : undefined;
  return typeof sub === 'string' ? sub : undefined;
}

function orderIdOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const id = record['id'] ?? record['orderId'] ?? record['order_id'];
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/** Runs one user action with the page marked busy, showing a failure instead of throwing. */
async function act(action: string, run: () => Promise<void>): Promise<void> {
  showStatus('busy', `${action}…`);
  try {
    await run();
  } catch (error) {
    showError(action, error);
  } finally {
    showStatus('ready', 'Ready.');
  }
}

async function whoAmI(client: SpaClient): Promise<void> {
  const answer = await client.call('GET', '/v1/me');
  showAnswer(answer);
  showSession(client.signedIn, answer.status === 200 ? subjectOf(answer.body) : undefined);
}

function wire(client: SpaClient, edgeAudience: string): void {
  // Issue 12: an order answer is also drawn as its path through the estate.
  const drawPath = (body: unknown): void => showOrderPath(body, { jkt: client.thumbprint, edgeAudience });
  element('login').addEventListener('click', () => void act('Log in', () => client.startLogin()));
  element('logout').addEventListener('click', () =>
    void act('Log out', async () => {
      await client.logout();
      showSession(false, undefined);
      showEvent('Logged out', 'Tokens forgotten, refresh token revoked. The DPoP key stays in IndexedDB.');
    }),
  );
  element('refresh').addEventListener('click', () =>
    void act('Refresh', async () => {
      const tokens = await client.refresh();
      showEvent('Tokens refreshed', `DPoP-bound to ${tokens.jkt}; scope ${tokens.scope ?? '(as before)'}`);
    }),
  );
  element('call-me').addEventListener('click', () => void act('GET /v1/me', () => whoAmI(client)));
  element('place-order').addEventListener('click', () =>
    void act('POST /v1/orders', async () => {
      const sku = element<HTMLInputElement>('sku').value.trim();
      const quantity = Number(element<HTMLInputElement>('quantity').value);
      const answer = await client.call('POST', '/v1/orders', { sku, quantity });
      showAnswer(answer);
      drawPath(answer.status < 300 ? answer.body : undefined);
      const id = answer.status < 300 ? orderIdOf(answer.body) : undefined;
      if (id !== undefined) element<HTMLInputElement>('order-id').value = id;
    }),
  );
  element('get-order').addEventListener('click', () =>
    void act('GET /v1/orders/:id', async () => {
      const id = element<HTMLInputElement>('order-id').value.trim();
      const answer = await client.call('GET', `/v1/orders/${encodeURIComponent(id)}`);
      showAnswer(answer);
      drawPath(answer.status < 300 ? answer.body : undefined);
    }),
  );
}

async function start(): Promise<void> {
  const settings = await loadSettings();
  const { keyPair, created } = await loadOrCreateDpopKeyPair();
  const client = await SpaClient.open(settings, keyPair);
  showThumbprint(client.thumbprint);
  if (created) showEvent('New DPoP key', `ES256, non-extractable, kept in IndexedDB; thumbprint ${client.thumbprint}`);
  wire(client, settings.resource);
  showSession(client.signedIn, undefined);

  if (window.location.pathname === CALLBACK_PATH) {
    const callback = new URL(window.location.href);
    // Take the code out of the address bar and history before anything else happens.
    window.history.replaceState(null, '', '/');
    try {
      const tokens = await client.completeLogin(callback);
      showEvent('Logged in', `DPoP-bound tokens for ${settings.resource} (scope ${tokens.scope ?? settings.scope}), cnf.jkt ${tokens.jkt}`);
    } catch (error) {
      showError('Log in', error);
    }
  }
  if (client.signedIn) await whoAmI(client).catch((error: unknown) => showError('GET /v1/me', error));
  showStatus('ready', 'Ready.');
}

start().catch((error: unknown) => {
  showError('Start', error);
  showStatus('failed', 'The page could not start; see below.');
});
