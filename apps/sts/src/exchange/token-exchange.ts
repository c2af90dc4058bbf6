import { checkNotRevoked, JWT_TOKEN_TYPE, type Clock, type RevocationList } from '#binding/core';
import { INTERNAL_TOKEN_TYPE, type CallerProofVerifier, type TokenExchangeResponse } from '#binding/hop';
import type { StsKeyRing } from '../keys/sts-key-ring.js';
import { atStage, ExchangeRefusal } from './exchange-refusal.js';
import { authorizeExchange, checkSubjectTokenType, narrowScope, type ExchangePolicy } from './exchange-policy.js';
import { parseExchangeRequest } from './exchange-request.js';
import { internalTokenClaims, signInternalToken } from './internal-token.js';
import { verifySubjectToken, type SubjectTokenVerifiers } from './verify-subject-token.js';

export interface TokenExchangeOptions {
  /** This STS's SPIFFE ID: the `iss` of what it issues and the `aud` of the proofs it accepts. */
  readonly issuer: string;
  readonly callerProofs: CallerProofVerifier;
  readonly policy: ExchangePolicy;
  readonly subjectTokens: SubjectTokenVerifiers;
  readonly revocations: RevocationList;
  readonly keys: StsKeyRing;
  readonly ttlSeconds: number;
  readonly clock: Clock;
}

/** One message on `sts.exchange`, as received. */
export interface ExchangeMessage {
  /** The NATS subject being handled (the proof's `sub`). */
  readonly subject: string;
  /** Every Hop-Proof value received. */
  readonly proof: readonly string[] | undefined;
  readonly payload: unknown;
  /** Every value of each header the proof covers (the W3C trace context, `oth`; O2). */
  readonly covered?: Parameters<CallerProofVerifier['verify']>[0]['covered'];
}

/** A granted exchange: the RFC 8693 answer and, for the log, who got what (no token material). */
export interface GrantedExchange {
  readonly response: TokenExchangeResponse;
  readonly caller: string;
  /** `x5t#S256` of the caller's certificate (the issued token's `cnf`), for spans and audit. */
  readonly callerThumbprint: string;
  readonly audience: string;
  readonly jtiHash: string;
}

export interface TokenExchange {
  /** Resolves the answer, or rejects with ExchangeRefusal (anything else is a fault of the STS). */
  exchange(message: ExchangeMessage): Promise<GrantedExchange>;
}

/**
 * RFC 8693 token exchange for internal hops (ARCHITECTURE "Exchange"), one numbered step per check,
 * cheap before costly, authentication before anything is compared, the replay claim last so a
 * refused exchange never burns the caller's proof:
 * 1. the request's syntax (RFC 8693 §2.1), `resource` and several audiences refused as targets;
 * 2. the caller's hop proof, H1-H7 (aud = this STS, sub = the subject, `ath` over the subject
 *    token, `pdh` over the request): who is asking, proven with its certificate key;
 * 3. H12: no certificate of the caller's path is revoked, part of the caller's authentication
 *    (steps 2 and 3 are the library's caller-proof profile, createCallerProofVerifier);
 * 4. the policy: may this caller exchange at all, for this audience (and its ceiling);
 * 5. the policy on the subject token: the external issuer's token from the edge only;
 * 6. the subject token, fully re-validated for its kind (verifySubjectToken);
 * 7. H12: neither the subject token (`jti`) nor the end user (`sub`) is revoked;
 * 8. the scope, narrowed to the subject token's and the ceiling;
 * 9. H6, last: the proof's `jti` is claimed once;
 * 10. the internal token, signed by the current key: bound to the caller's certificate, `act` = the
 *    caller (nested), lifetime `ttlSeconds` and never past the subject token's `exp`.
 * Each refusal is an ExchangeRefusal naming its stage; its reply maps the stage to the RFC value
 * (ExchangeRefusal.toReply): `caller` and `replay` invalid_client, `subject` invalid_request.
 */
export function createTokenExchange(options: TokenExchangeOptions): TokenExchange {
  const { issuer, callerProofs, policy, subjectTokens, revocations, keys, ttlSeconds, clock } = options;

  async function exchange(message: ExchangeMessage): Promise<GrantedExchange> {
    // O1, O3: who sent it, as soon as its certificate is validated, for a refusal's span and audit line.
    const sender: { caller?: string; thumbprint?: string; jtiHash?: string } = {};
    try {
      return await checkAndIssue(message, sender);
    } catch (error) {
      if (error instanceof ExchangeRefusal && sender.caller !== undefined && sender.thumbprint !== undefined) {
        error.sender = { caller: sender.caller, thumbprint: sender.thumbprint, ...(sender.jtiHash === undefined ? {} : { jtiHash: sender.jtiHash }) };
      }
      throw error;
    }
  }

  async function checkAndIssue(
    { subject, proof, payload, covered }: ExchangeMessage,
    sender: { caller?: string; thumbprint?: string; jtiHash?: string },
  ): Promise<GrantedExchange> {
    // 1. Syntax.
    const request = await atStage('request', () => parseExchangeRequest(payload));
    const onCertificate = (certificate: { readonly spiffeId: string; readonly thumbprint: string }): void => {
      sender.caller = certificate.spiffeId;
      sender.thumbprint = certificate.thumbprint;
    };
    const onProof = (jtiHash: string): void => {
      sender.jtiHash = jtiHash;
    };
    // 2, 3. Who is asking (H1-H7), and no certificate of its path revoked (H12, invalid_client):
    //    the library's caller-proof profile; the jti is not claimed yet.
    const caller = await atStage('caller', () => callerProofs.verify({ subject, proof, token: request.subjectToken, payload, covered, onCertificate, onProof }));
    // 4. What this caller may ask for.
    const ceiling = await atStage('policy', () => authorizeExchange(policy, caller.caller, request.audience));
    // 5. Which kind of subject token this caller may present (a subject token unacceptable by policy).
    await atStage('subject', () => checkSubjectTokenType(policy, caller.caller, request.subjectTokenType));
    // 6. The subject token, re-validated: signature, issuer, audience, lifetime, type, binding.
    const claims = await atStage('subject', () => verifySubjectToken(subjectTokens, request.subjectTokenType, { spiffeId: caller.caller, verifySubjectToken: caller.verifySubjectToken }));
    // 7. H12 for the subject token: its jti and its end user (the caller's path was step 3).
    await atStage('subject', () => checkNotRevoked(revocations, claims));
    // 8. No wider than the subject token and the policy allow.
    const scope = await atStage('scope', () => narrowScope(request.scope, claims.scope, ceiling));
    // 9. H6, last of the checks.
    const jtiHash = await atStage('replay', () => caller.claim());
    // 10. Issue.
    const now = clock();
    const tokenClaims = await atStage('subject', () =>
      internalTokenClaims({
        issuer,
        subject: claims,
        subjectIsInternal: request.subjectTokenType === JWT_TOKEN_TYPE,
        caller: caller.caller,
        callerThumbprint: caller.certificateThumbprint,
        audience: request.audience,
        scope,
        now,
        ttlSeconds,
      }),
    );
    const accessToken = await signInternalToken(tokenClaims, keys.current);
    return {
      response: {
        access_token: accessToken,
        issued_token_type: JWT_TOKEN_TYPE,
        token_type: INTERNAL_TOKEN_TYPE,
        expires_in: (tokenClaims.exp as number) - now,
        scope: scope.join(' '),
      },
      caller: caller.caller,
      callerThumbprint: caller.certificateThumbprint,
      audience: request.audience,
      jtiHash,
    };
  }

  return Object.freeze({ exchange });
}
