import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ConfirmationMethod } from '../token/access-token.js';
import type { SubjectToken } from '../token/subject-token.js';

/** The verified caller, as the guard hands it to the handler. Never holds a token or a proof. */
/**
 * How the token was held: `dpop` or `mtls` (bound, proven), or `bearer`: an unbound token that a
 * route with `unboundTokens: 'accept-as-bearer'` served without any proof of possession.
 */
export type PrincipalConfirmation = ConfirmationMethod | 'bearer';

export interface BoundPrincipal {
  /** The end user (`sub`). */
  readonly subject: string;
  /** The OAuth client the end user used (`client_id`), when the token names it. */
  readonly clientId: string | undefined;
  readonly scopes: readonly string[];
  readonly confirmation: PrincipalConfirmation;
  /** RFC 7638 thumbprint of the DPoP key, or `x5t#S256` of the sender certificate; '' for bearer. */
  readonly thumbprint: string;
  /** The SPIFFE ID of the workload that sent the message; undefined at the edge. */
  readonly caller: string | undefined;
  /** RFC 8693 §4.1 actors, nearest first (`act.sub`, then `act.act.sub`, ...). */
  readonly actorChain: readonly string[];
  /** The verified token's `exp`, so a handler that calls onward knows how long it may. */
  readonly expiresAt: number;
  /** The verified token, as an opaque handle, for exchanging onward; not enumerable. */
  readonly subjectToken: SubjectToken;
}

/**
 * The principal travels from the guard to the handler keyed by the request (HTTP) or by the
 * per-message context object (RPC): Nest hands both the same object, and nothing else can reach
 * the WeakMap, so a client cannot smuggle a principal in through the payload.
 */
const principals = new WeakMap<object, BoundPrincipal>();

export function attachPrincipal(carrier: object, principal: BoundPrincipal): void {
  principals.set(carrier, new FrozenPrincipal(principal));
}

/**
 * The principal a handler receives: its fields own, enumerable and frozen; the subject token held
 * in a private field behind a prototype getter, so a handler that returns, spreads or logs the
 * principal never serialises the handle. Built per request: a class with fixed fields costs a
 * fraction of copying the object and redefining one property as non-enumerable.
 */
class FrozenPrincipal implements BoundPrincipal {
  readonly subject: string;
  readonly clientId: string | undefined;
  readonly scopes: readonly string[];
  readonly confirmation: PrincipalConfirmation;
  readonly thumbprint: string;
  readonly caller: string | undefined;
  readonly actorChain: readonly string[];
  readonly expiresAt: number;
  readonly #subjectToken: SubjectToken;

  constructor(principal: BoundPrincipal) {
    this.subject = principal.subject;
    this.clientId = principal.clientId;
    this.scopes = principal.scopes;
    this.confirmation = principal.confirmation;
    this.thumbprint = principal.thumbprint;
    this.caller = principal.caller;
    this.actorChain = principal.actorChain;
    this.expiresAt = principal.expiresAt;
    this.#subjectToken = principal.subjectToken;
    Object.freeze(this);
  }

  get subjectToken(): SubjectToken {
    return this.#subjectToken;
  }
}

function carrierOf(context: ExecutionContext): object {
  return context.getType() === 'rpc' ? context.switchToRpc().getContext() : context.switchToHttp().getRequest();
}

export function principalOf(context: ExecutionContext): BoundPrincipal | undefined {
  return principals.get(carrierOf(context));
}

/** `handler(@Principal() principal: BoundPrincipal)`: the principal the guard verified. */
export const Principal = createParamDecorator((_data: unknown, context: ExecutionContext): BoundPrincipal => {
  const principal = principalOf(context);
  // A handler without @Bound has no principal: a programming mistake, never a client's.
  if (principal === undefined) throw new Error('@Principal() used on a handler without @Bound()');
  return principal;
});
