/**
 * The front half of the code flow, for tests that drive the token endpoint themselves: PKCE,
 * a loopback redirect on a free port, and a scripted login through the real login form. The
 * code is bound to `keyPair` with dpop_jkt, as the mobile client does.
 */
import * as oauth from 'oauth4webapi';
import { startLoopbackRedirect } from '../../../apps/mobile/src/login/loopback-redirect.js';
import { runScriptedLogin, type Credentials } from '../../../apps/mobile/src/login/scripted-browser.js';

export const ALICE: Credentials = { username: 'alice', password: 'wonderland' };
export const MOBILE: oauth.Client = { client_id: 'mobile' };
export const HTTP_OK = { [oauth.allowInsecureRequests]: true } as const;

export interface AuthorizationCode {
  readonly as: oauth.AuthorizationServer;
  readonly params: URLSearchParams;
  readonly redirectUri: string;
  readonly codeVerifier: string;
}

export async function discover(issuer: string): Promise<oauth.AuthorizationServer> {
  const url = new URL(issuer);
  return oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { algorithm: 'oidc', ...HTTP_OK }));
}

export async function authorizationCode(issuer: string, dpop: oauth.DPoPHandle, resource: string): Promise<AuthorizationCode> {
  const as = await discover(issuer);
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const loopback = await startLoopbackRedirect('/callback');
  try {
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: MOBILE.client_id,
      response_type: 'code',
      redirect_uri: loopback.redirectUri,
      scope: 'orders:read orders:write',
      resource,
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      dpop_jkt: await dpop.calculateThumbprint(),
    }).toString();
    await runScriptedLogin(url, loopback.redirectUri, ALICE);
    const callback = await loopback.waitForCallback(10_000);
    return { as, params: oauth.validateAuthResponse(as, MOBILE, callback, state), redirectUri: loopback.redirectUri, codeVerifier };
  } finally {
    await loopback.close();
  }
}

export async function exchange(code: AuthorizationCode, dpop: oauth.DPoPHandle): Promise<oauth.TokenEndpointResponse> {
  const response = await oauth.authorizationCodeGrantRequest(code.as, MOBILE, oauth.None(), code.params, code.redirectUri, code.codeVerifier, {
    DPoP: dpop,
    ...HTTP_OK,
  });
  return oauth.processAuthorizationCodeResponse(code.as, MOBILE, response);
}

export async function newDpop(): Promise<oauth.DPoPHandle> {
  return oauth.DPoP(MOBILE, await oauth.generateKeyPair('ES256'));
}
