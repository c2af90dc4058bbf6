/**
 * The page's OAuth client on oauth4webapi, as the mobile app's (apps/mobile/src/mobile-client.ts)
 * but for a browser: authorization code with PKCE (S256) through a redirect back to this page,
 * DPoP proofs (RFC 9449) at the token endpoint and at the edge from one non-extractable key,
 * refresh with DPoP, and one automatic retry on `use_dpop_nonce` at both.
 *
 * oauth4webapi's DPoP handle remembers the last `DPoP-Nonce` per origin. In a browser it can read
 * that header, and the `WWW-Authenticate` challenge, only because the servers expose them to
 * scripts through CORS (SECURITY.md E24): the retry below is what would break without that.
 */
import * as oauth from 'oauth4webapi';
import type { SpaSettings } from './spa-settings.js';
import { clearTokens, loadTokens, saveTokens, savePendingLogin, takePendingLogin, type StoredTokens } from './token-session.js';

/** What the page shows of a resource response. */
export interface EdgeAnswer {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** Parsed JSON, or the text when the body is not JSON; undefined when empty. */
  readonly body: unknown;
  readonly wwwAuthenticate: string | undefined;
  /** True when the first try was refused with use_dpop_nonce and this answer is the retry's. */
  readonly nonceRetried: boolean;
}

// Refresh a little before expiry, so a token does not expire between the check and the edge.
export const EXPIRY_MARGIN_S = 10; // seconds

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const epochSeconds = (): number => Math.floor(Date.now() / 1000);

/** Plain http only to this machine (the demo); anything else must be https, as oauth4webapi wants. */
function insecure(url: URL): { [oauth.allowInsecureRequests]?: true } {
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname) ? { [oauth.allowInsecureRequests]: true } : {};
}

/** RFC 9449 §8 and §9: a `use_dpop_nonce` answer is retried once with the nonce it carried. */
async function withNonceRetry<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!oauth.isDPoPNonceError(error)) throw error;
    return attempt();
  }
}

/** protectedResourceRequest throws on a 401 challenge; the page shows it like any answer. */
function challengeResponse(error: unknown): Response {
  if (error instanceof oauth.WWWAuthenticateChallengeError) return error.response;
  throw error;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export class SpaClient {
  readonly #client: oauth.Client;
  readonly #dpop: oauth.DPoPHandle;
  #tokens: StoredTokens | undefined;

  private constructor(
    readonly settings: SpaSettings,
    readonly as: oauth.AuthorizationServer,
    /** RFC 7638 thumbprint of the DPoP key: what `cnf.jkt` must equal. */
    readonly thumbprint: string,
    dpop: oauth.DPoPHandle,
    client: oauth.Client,
  ) {
    this.#client = client;
    this.#dpop = dpop;
    this.#tokens = loadTokens(thumbprint);
  }

  /** Discovers the authorization server (RFC 8414 / OIDC discovery) and binds the key. */
  static async open(settings: SpaSettings, keyPair: CryptoKeyPair): Promise<SpaClient> {
    const issuer = new URL(settings.issuer);
    const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure(issuer) });
    const as = await oauth.processDiscoveryResponse(issuer, response);
    const client: oauth.Client = { client_id: settings.clientId };
    const dpop = oauth.DPoP(client, keyPair);
    return new SpaClient(settings, as, await dpop.calculateThumbprint(), dpop, client);
  }

  get signedIn(): boolean {
    return this.#tokens !== undefined;
  }

  /**
   * Leaves for the authorization endpoint. The code is bound to this key as well (`dpop_jkt`,
   * RFC 9449 §10), so a code intercepted on the way back cannot be redeemed with another key.
   */
  async startLogin(): Promise<void> {
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    savePendingLogin({ state, codeVerifier });
    const url = new URL(this.as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: this.settings.clientId,
      response_type: 'code',
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scope,
      resource: this.settings.resource,
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      dpop_jkt: this.thumbprint,
    }).toString();
    window.location.assign(url.href);
  }

  /** Back at the redirect URI: checks state and `iss` (RFC 9207), redeems the code with a proof. */
  async completeLogin(callback: URL): Promise<StoredTokens> {
    const pending = takePendingLogin();
    if (pending === undefined) throw new Error('no login in progress in this tab: start again');
    // Throws on an error response, a wrong state or a wrong issuer.
    const params = oauth.validateAuthResponse(this.as, this.#client, callback, pending.state);
    const tokenEndpoint = new URL(this.as.token_endpoint!);
    const result = await withNonceRetry(async () =>
      oauth.processAuthorizationCodeResponse(
        this.as,
        this.#client,
        await oauth.authorizationCodeGrantRequest(this.as, this.#client, oauth.None(), params, this.settings.redirectUri, pending.codeVerifier, {
          DPoP: this.#dpop,
          ...insecure(tokenEndpoint),
        }),
      ),
    );
    return this.keep(result);
  }

  /** Refresh grant with a proof from the key the refresh token is bound to. */
  async refresh(): Promise<StoredTokens> {
    const refreshToken = this.#tokens?.refresh_token;
    if (refreshToken === undefined) throw new Error('no refresh token: log in first');
    const tokenEndpoint = new URL(this.as.token_endpoint!);
    const result = await withNonceRetry(async () =>
      oauth.processRefreshTokenResponse(
        this.as,
        this.#client,
        await oauth.refreshTokenGrantRequest(this.as, this.#client, oauth.None(), refreshToken, { DPoP: this.#dpop, ...insecure(tokenEndpoint) }),
      ),
    );
    return this.keep(result, refreshToken);
  }

  /**
   * Calls the edge with `Authorization: DPoP <token>` and a fresh proof, refreshing first when
   * the token is (about to be) expired. Resolves with the answer whatever its status: a 401
   * challenge is something to show.
   */
  async call(method: string, path: string, json?: unknown): Promise<EdgeAnswer> {
    const url = new URL(path, this.settings.edgeUrl);
    const token = await this.accessToken();
    const headers = new Headers({ accept: 'application/json' });
    const body = json === undefined ? null : JSON.stringify(json);
    if (body !== null) headers.set('content-type', 'application/json');
    const send = (): Promise<Response> =>
      oauth.protectedResourceRequest(token, method, url, headers, body, { DPoP: this.#dpop, ...insecure(url) });
    let response: Response;
    let retried = false;
    try {
      response = await send();
    } catch (error) {
      if (!oauth.isDPoPNonceError(error)) response = challengeResponse(error);
      else {
        retried = true;
        response = await send().catch(challengeResponse);
      }
    }
    return {
      method,
      path: url.pathname,
      status: response.status,
      body: await readBody(response),
      wwwAuthenticate: response.headers.get('www-authenticate') ?? undefined,
      nonceRetried: retried,
    };
  }

  /** Forgets the tokens and revokes the refresh token (best effort). The key stays. */
  async logout(): Promise<void> {
    const refreshToken = this.#tokens?.refresh_token;
    clearTokens();
    this.#tokens = undefined;
    if (refreshToken === undefined || this.as.revocation_endpoint === undefined) return;
    const endpoint = new URL(this.as.revocation_endpoint);
    await oauth
      .revocationRequest(this.as, this.#client, oauth.None(), refreshToken, insecure(endpoint))
      .then((response) => oauth.processRevocationResponse(response))
      .catch(() => undefined); // the grant still ends at its expiry
  }

  private async accessToken(): Promise<string> {
    const tokens = this.#tokens;
    if (tokens === undefined) throw new Error('not logged in');
    const expired = tokens.expires_at !== undefined && tokens.expires_at - EXPIRY_MARGIN_S <= epochSeconds();
    return expired && tokens.refresh_token !== undefined ? (await this.refresh()).access_token : tokens.access_token;
  }

  private keep(result: oauth.TokenEndpointResponse, previousRefreshToken?: string): StoredTokens {
    // RFC 9449 §5: a bound token comes back as token_type DPoP; anything else means the server
    // ignored the proof, and such a token must not be used as if it were bound.
    if (result.token_type !== 'dpop') throw new Error(`expected a DPoP-bound token, got token_type ${result.token_type}`);
    const tokens: StoredTokens = {
      access_token: result.access_token,
      ...(result.refresh_token ?? previousRefreshToken ? { refresh_token: result.refresh_token ?? previousRefreshToken } : {}),
      ...(result.expires_in === undefined ? {} : { expires_at: epochSeconds() + result.expires_in }),
      ...(result.scope === undefined ? {} : { scope: result.scope }),
      jkt: this.thumbprint,
    };
    saveTokens(tokens);
    this.#tokens = tokens;
    return tokens;
  }
}
