/**
 * A native app's OAuth client (RFC 8252) on oauth4webapi: authorization code with PKCE (S256)
 * through a loopback redirect, DPoP-bound tokens (RFC 9449) from a key kept between runs,
 * refresh with DPoP, and protected-resource calls with DPoP proofs, retrying once on
 * `use_dpop_nonce` at both the token endpoint and the resource.
 *
 * The CLI (main.ts) is a thin shell over this class; tests and scripts use it directly.
 */
import * as oauth from 'oauth4webapi';
import { join } from 'node:path';
import { withNonceRetry } from './dpop-nonce-retry.js';
import { loadOrCreateDpopKey, type DpopKey } from './keys/dpop-key.js';
import { startLoopbackRedirect } from './login/loopback-redirect.js';
import { runScriptedLogin, type Credentials } from './login/scripted-browser.js';
import { allowsInsecure, DPOP_KEY_FILE, mobileOptions, TOKEN_FILE, type MobileOptions } from './mobile-options.js';
import { TokenStore, type StoredTokens } from './session/token-store.js';

/** How the user gets through the login page: scripted with credentials, or a person. */
export type LoginMethod =
  | { readonly credentials: Credentials }
  | { readonly openAuthorizationUrl: (url: URL) => void | Promise<void> };

export interface CallInit {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;
  /** Sent as is; a string body is sent again unchanged on a nonce retry. */
  readonly body?: string;
}

// Refresh a little before expiry so a token does not expire between check and use.
export const EXPIRY_MARGIN_S = 10; // seconds

const epochSeconds = () => Math.floor(Date.now() / 1000);

function requestHeaders(headers: CallInit['headers']): Headers {
  const result = new Headers();
  const entries: ReadonlyArray<readonly [string, string]> = Array.isArray(headers) ? headers : Object.entries(headers ?? {});
  for (const [name, value] of entries) result.append(name, value);
  return result;
}

export class MobileClient {
  #as: oauth.AuthorizationServer | undefined;
  #tokens: StoredTokens | undefined;
  readonly #client: oauth.Client;
  readonly #dpop: oauth.DPoPHandle;

  private constructor(
    readonly options: MobileOptions,
    readonly key: DpopKey,
    private readonly store: TokenStore,
    tokens: StoredTokens | undefined,
  ) {
    this.#client = { client_id: options.clientId };
    this.#dpop = oauth.DPoP(this.#client, key.keyPair);
    this.#tokens = tokens;
  }

  /** Loads (or creates) the DPoP key and any tokens saved for this issuer and key. */
  static async open(input: Partial<MobileOptions> = {}): Promise<MobileClient> {
    const options = mobileOptions(input);
    const key = await loadOrCreateDpopKey(join(options.stateDir, DPOP_KEY_FILE));
    const store = new TokenStore(join(options.stateDir, TOKEN_FILE));
    return new MobileClient(options, key, store, await store.load(options.issuer, key.thumbprint));
  }

  /** RFC 7638 thumbprint of the DPoP key: what `cnf.jkt` must equal. */
  get thumbprint(): string {
    return this.key.thumbprint;
  }

  get tokens(): StoredTokens | undefined {
    return this.#tokens;
  }

  get tokenFile(): string {
    return this.store.file;
  }

  private insecure(url: URL): { [oauth.allowInsecureRequests]?: true } {
    return allowsInsecure(this.options, url) ? { [oauth.allowInsecureRequests]: true } : {};
  }

  private async authorizationServer(): Promise<oauth.AuthorizationServer> {
    if (this.#as === undefined) {
      const issuer = new URL(this.options.issuer);
      const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...this.insecure(issuer) });
      this.#as = await oauth.processDiscoveryResponse(issuer, response);
    }
    return this.#as;
  }

  private async keep(result: oauth.TokenEndpointResponse, previousRefreshToken?: string): Promise<StoredTokens> {
    // RFC 9449 §5: a DPoP-bound token comes back as token_type "DPoP"; anything else means the
    // server ignored our proof, and such a token must not be used as if it were bound.
    if (result.token_type !== 'dpop') throw new Error(`expected a DPoP-bound token, got token_type ${result.token_type}`);
    const tokens: StoredTokens = {
      issuer: this.options.issuer,
      jkt: this.thumbprint,
      access_token: result.access_token,
      token_type: result.token_type,
      expires_at: result.expires_in === undefined ? undefined : epochSeconds() + result.expires_in,
      // Without rotation the server sends no new refresh token; the old one stays valid.
      refresh_token: result.refresh_token ?? previousRefreshToken,
      scope: result.scope,
    };
    await this.store.save(tokens);
    this.#tokens = tokens;
    return tokens;
  }

  /**
   * Authorization code flow with PKCE through a loopback redirect on a random port, then the
   * code exchange with a DPoP proof. The code is bound to the key as well (`dpop_jkt`, §10).
   */
  async login(method: LoginMethod): Promise<StoredTokens> {
    const as = await this.authorizationServer();
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const loopback = await startLoopbackRedirect(this.options.redirectPath);
    let callback: URL;
    try {
      const url = new URL(as.authorization_endpoint!);
      url.search = new URLSearchParams({
        client_id: this.options.clientId,
        response_type: 'code',
        redirect_uri: loopback.redirectUri,
        scope: this.options.scope,
        resource: this.options.resource,
        state,
        code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        dpop_jkt: this.thumbprint,
      }).toString();
      // The listener keeps the first callback even if it arrives before we start waiting.
      if ('credentials' in method) await runScriptedLogin(url, loopback.redirectUri, method.credentials);
      else await method.openAuthorizationUrl(url);
      callback = await loopback.waitForCallback(this.options.loginTimeoutMs);
    } finally {
      await loopback.close();
    }
    // Checks state and the RFC 9207 `iss` parameter; an error response throws here.
    const params = oauth.validateAuthResponse(as, this.#client, callback, state);
    const tokenEndpoint = new URL(as.token_endpoint!);
    const result = await withNonceRetry(
      () =>
        oauth.authorizationCodeGrantRequest(as, this.#client, oauth.None(), params, loopback.redirectUri, codeVerifier, {
          DPoP: this.#dpop,
          ...this.insecure(tokenEndpoint),
        }),
      (response) => oauth.processAuthorizationCodeResponse(as, this.#client, response),
    );
    return this.keep(result);
  }

  /** Refresh grant with a DPoP proof from the same key the refresh token is bound to. */
  async refresh(): Promise<StoredTokens> {
    const refreshToken = this.#tokens?.refresh_token;
    if (refreshToken === undefined) throw new Error('no refresh token; log in first');
    const as = await this.authorizationServer();
    const tokenEndpoint = new URL(as.token_endpoint!);
    const result = await withNonceRetry(
      () => oauth.refreshTokenGrantRequest(as, this.#client, oauth.None(), refreshToken, { DPoP: this.#dpop, ...this.insecure(tokenEndpoint) }),
      (response) => oauth.processRefreshTokenResponse(as, this.#client, response),
    );
    return this.keep(result, refreshToken);
  }

  /** The access token, refreshed first when it is (about to be) expired. */
  async accessToken(): Promise<string> {
    const tokens = this.#tokens;
    if (tokens === undefined) throw new Error('not logged in');
    const expired = tokens.expires_at !== undefined && tokens.expires_at - EXPIRY_MARGIN_S <= epochSeconds();
    return expired && tokens.refresh_token !== undefined ? (await this.refresh()).access_token : tokens.access_token;
  }

  /**
   * Calls any URL with `Authorization: DPoP <token>` and a fresh proof, retrying once with the
   * server's nonce on `use_dpop_nonce`. Resolves with the response whatever its status: a 401
   * challenge is returned too, so callers can read WWW-Authenticate.
   */
  async call(target: string | URL, init: CallInit = {}): Promise<Response> {
    const url = new URL(target);
    const token = await this.accessToken();
    const send = () =>
      oauth.protectedResourceRequest(token, init.method ?? 'GET', url, requestHeaders(init.headers), init.body ?? null, {
        DPoP: this.#dpop,
        ...this.insecure(url),
      });
    try {
      return await send().catch((error: unknown) => (oauth.isDPoPNonceError(error) ? send() : Promise.reject(error)));
    } catch (error) {
      if (error instanceof oauth.WWWAuthenticateChallengeError) return error.response;
      throw error;
    }
  }

  /** Forgets the tokens (the key stays: it identifies this installation). */
  async logout(): Promise<void> {
    await this.store.clear();
    this.#tokens = undefined;
  }
}
