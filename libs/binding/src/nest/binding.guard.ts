import { type CanActivate, type ExecutionContext, HttpException, Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { BindingConfigError, BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { safely, type BindingDecision } from '../observe/binding-observer.js';
import { BINDING_OPTIONS, type BindingModuleOptions } from './binding-options.js';
import { BINDING_POLICY, type BindingPolicy } from './binding-policy.js';
import { prepareHttpRefusal, verifyHttpRequest } from './http-binding.js';
import { loadRpcRefusal, type RpcRefusalMapper } from './load-rpc-refusal.js';
import { attachPrincipal } from './principal.js';
import { toHopRefusal, toHopRequest, traceContextOf, type NatsContextLike } from './rpc-binding.js';
import { grantedScopesOf } from '../token/check-scope.js';
import { SubjectToken } from '../token/subject-token.js';
import { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE } from '../token/token-types.js';

/**
 * The one guard: enforces the handler's @Bound policy on HTTP (DPoP, RFC 9449) and on NATS
 * (hop proof + certificate-bound token, RFC 8705 over the broker). It never returns false: every
 * refusal is a typed error, so the client gets the RFC's error value and challenge (a bare
 * `false` would be a 403 without one). A missing policy or verifier is a programming mistake and
 * refuses the call too; nothing is let through by default.
 */
@Injectable()
export class BindingGuard implements CanActivate, OnModuleInit {
  private readonly logger = new Logger('Binding');
  private rpcRefusal: Promise<RpcRefusalMapper> | undefined;

  constructor(
    private readonly reflector: Reflector,
    @Inject(BINDING_OPTIONS) private readonly options: BindingModuleOptions,
  ) {}

  /**
   * The RPC refusal mapping needs @nestjs/microservices: loaded here, at start-up, only when the
   * module has a hop verifier (an HTTP-only service never loads it); a missing package fails now.
   */
  async onModuleInit(): Promise<void> {
    if (this.options.hop !== undefined) await this.rpcRefusalMapper();
  }

  private rpcRefusalMapper(): Promise<RpcRefusalMapper> {
    return (this.rpcRefusal ??= loadRpcRefusal());
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.getAllAndOverride<BindingPolicy | undefined>(BINDING_POLICY, [context.getHandler(), context.getClass()]);
    if (policy === undefined) throw new BindingConfigError('BindingGuard on a handler without @Bound()');
    const kind = context.getType();
    if (kind === 'http' && policy.confirmation === 'dpop') return this.guardHttp(context, policy);
    if (kind === 'rpc' && policy.confirmation === 'mtls') return this.guardRpc(context, policy);
    throw new BindingConfigError(`@Bound({ confirmation: '${policy.confirmation}' }) is not supported on ${kind} handlers`);
  }

  private async guardHttp(context: ExecutionContext, policy: BindingPolicy): Promise<boolean> {
    const verifier = this.options.dpop;
    if (verifier === undefined) throw new BindingConfigError('BindingModule has no DPoP verifier for HTTP routes');
    const http = context.switchToHttp();
    const request = http.getRequest();
    const response = http.getResponse();
    const started = performance.now();
    try {
      const { scheme, token, claims, jkt, jtiHash } = await verifyHttpRequest(verifier, request, response, policy);
      const subjectToken = new SubjectToken(token, ACCESS_TOKEN_TYPE, claims.exp);
      this.observe({
        hop: 'edge', result: 'accepted', durationMs: performance.now() - started, subject: claims.sub, request, onBehalfOf: subjectToken,
        ...(jkt === undefined ? {} : { thumbprint: jkt }), ...(jtiHash === undefined ? {} : { jtiHash }),
      });
      attachPrincipal(request, {
        subject: claims.sub,
        clientId: claims.client_id,
        scopes: grantedScopesOf(claims),
        // A Bearer request passed only as an unbound token on an accept-as-bearer route: say so.
        confirmation: scheme === 'bearer' ? 'bearer' : 'dpop',
        thumbprint: jkt ?? '',
        caller: undefined,
        actorChain: [],
        expiresAt: claims.exp,
        subjectToken,
      });
      // The one log line of an accepted request: its text is built only when debug is on.
      if (Logger.isLevelEnabled('debug')) this.logger.debug(scheme === 'bearer' ? 'accepted unbound bearer' : `accepted dpop jkt=${jkt} jti#=${jtiHash}`);
      return true;
    } catch (error) {
      const refusal = this.toBindingError(error);
      this.observe({ hop: 'edge', result: 'refused', failureType: refusal.type, code: refusal.code, durationMs: performance.now() - started, request });
      this.logger.warn(`refused http type=${refusal.type} code=${refusal.code} status=${refusal.status}`);
      throw new HttpException(prepareHttpRefusal(refusal, verifier.algorithms, response, policy), refusal.status, { cause: error });
    }
  }

  private async guardRpc(context: ExecutionContext, policy: BindingPolicy): Promise<boolean> {
    const verifier = this.options.hop;
    if (verifier === undefined) throw new BindingConfigError('BindingModule has no hop verifier for NATS handlers');
    const rpc = context.switchToRpc();
    const natsContext = rpc.getContext<NatsContextLike & object>();
    // Who sent it, once H3 has validated the certificate: a refusal after that names the caller.
    const sender: { caller?: string; certificateThumbprint?: string } = {};
    const hopRequest = toHopRequest(natsContext, rpc.getData(), policy, sender);
    const started = performance.now();
    try {
      const hop = await verifier.verify(hopRequest);
      const traceContext = hopRequest.covered === undefined ? undefined : traceContextOf(hopRequest.covered);
      // The token as the verifier verified it, as at the edge (never re-read from the headers).
      const subjectToken = new SubjectToken(hop.token, JWT_TOKEN_TYPE, hop.claims.exp);
      this.observe({
        hop: hopRequest.subject, result: 'accepted', durationMs: performance.now() - started, callerSpiffeId: hop.caller,
        thumbprint: hop.certificateThumbprint, jtiHash: hop.jtiHash, subject: hop.claims.sub, actorChain: hop.actorChain,
        request: natsContext, onBehalfOf: subjectToken, ...(traceContext === undefined ? {} : { traceContext }),
      });
      attachPrincipal(natsContext, {
        subject: hop.claims.sub,
        clientId: hop.claims.client_id,
        scopes: grantedScopesOf(hop.claims),
        confirmation: 'mtls',
        thumbprint: hop.certificateThumbprint,
        caller: hop.caller,
        actorChain: hop.actorChain,
        expiresAt: hop.claims.exp,
        subjectToken,
      });
      if (Logger.isLevelEnabled('debug')) this.logger.debug(`accepted hop caller=${hop.caller} x5t=${hop.certificateThumbprint} jti#=${hop.jtiHash}`);
      return true;
    } catch (error) {
      const failure = this.toBindingError(error);
      const refusal = toHopRefusal(failure);
      this.observe({
        hop: hopRequest.subject, result: 'refused', failureType: failure.type, code: refusal.code, durationMs: performance.now() - started, request: natsContext,
        ...(sender.caller === undefined ? {} : { callerSpiffeId: sender.caller }), ...(sender.certificateThumbprint === undefined ? {} : { thumbprint: sender.certificateThumbprint }),
      });
      this.logger.warn(`refused rpc subject=${hopRequest.subject} type=${refusal.type} code=${refusal.code}`);
      throw (await this.rpcRefusalMapper())(refusal);
    }
  }

  /** O1-O3: the decision, to the observer if there is one; what it throws is dropped. */
  private observe(decision: BindingDecision): void {
    const observer = this.options.observer;
    if (observer !== undefined) safely(() => observer.decision(decision));
  }

  /**
   * A configuration mistake propagates (Nest answers a generic 500 and logs it): it is not the
   * client's doing and retrying will not help. Any other non-BindingError is unexpected (a bug, a
   * dependency failing in a way no check names): refused as CheckFailed (503), never accepted,
   * the cause kept for the logs; the same failure type verifyPresentedToken gives a token
   * verifier's fault, and for the same reasons (not the client's fault, so not invalid_token).
   */
  private toBindingError(error: unknown): BindingError {
    if (error instanceof BindingError) return error;
    if (error instanceof BindingConfigError) throw error;
    this.logger.error('binding check failed unexpectedly', error instanceof Error ? error.stack : String(error));
    return new BindingError(FailureType.CheckFailed, 'the request could not be checked right now', { cause: error });
  }
}
