import { describe, expect, it } from '@jest/globals';
import { BindingError, FailureType } from '#binding/core';
import { atStage, ExchangeRefusal } from './exchange-refusal.js';

const error = (type: FailureType) => new BindingError(type, 'described');
const reply = (stage: ConstructorParameters<typeof ExchangeRefusal>[0], type: FailureType) => new ExchangeRefusal(stage, error(type)).toReply();

describe('H13: exchange refusals, the RFC error value by whose credential failed, the failure type kept', () => {
  it('H13, RFC 6749 §5.2 invalid_client (401): the caller\'s proof or certificate', () => {
    expect(reply('caller', FailureType.CertificateUntrusted)).toEqual({ code: 'invalid_client', type: 'certificate_untrusted', status: 401, message: 'described' });
    expect(reply('replay', FailureType.ProofReplayed)).toMatchObject({ code: 'invalid_client', type: 'proof_replayed' });
  });

  it('H12/H13: a revoked caller certificate is invalid_client (401), type revoked; a revoked subject token is invalid_request', () => {
    expect(reply('caller', FailureType.Revoked)).toEqual({ code: 'invalid_client', type: 'revoked', status: 401, message: 'described' });
    expect(reply('subject', FailureType.Revoked)).toEqual({ code: 'invalid_request', type: 'revoked', status: 400, message: 'described' });
  });

  it('H13, RFC 8693 §2.2.2 invalid_request (400), never invalid_grant: the subject token invalid for any reason or unacceptable by policy', () => {
    const types = [
      FailureType.TokenExpired, FailureType.TokenSignature, FailureType.TokenIssuer, FailureType.TokenAudience, FailureType.TokenType,
      FailureType.TokenAlgorithm, FailureType.TokenMalformed, FailureType.UnboundToken, FailureType.ConfirmationMethod, FailureType.Revoked,
    ];
    for (const type of types) {
      expect(reply('subject', type)).toEqual({ code: 'invalid_request', type, status: 400, message: 'described' });
    }
  });

  it('H13: the policy keeps its own values: unauthorized_client for a caller it does not list, invalid_target for an audience', () => {
    expect(reply('policy', FailureType.ExchangeNotAllowed)).toMatchObject({ code: 'unauthorized_client', type: 'exchange_not_allowed', status: 400 });
    expect(reply('policy', FailureType.ExchangeInvalidTarget)).toMatchObject({ code: 'invalid_target', type: 'exchange_invalid_target', status: 400 });
  });

  it('H13: syntax is invalid_request, a refused target in the request invalid_target, scope invalid_scope', () => {
    expect(reply('request', FailureType.ExchangeInvalidRequest)).toMatchObject({ code: 'invalid_request', type: 'exchange_invalid_request', status: 400 });
    expect(reply('request', FailureType.ExchangeInvalidTarget)).toMatchObject({ code: 'invalid_target', type: 'exchange_invalid_target', status: 400 });
    expect(reply('request', FailureType.ExchangeInvalidScope)).toMatchObject({ code: 'invalid_scope', status: 400 });
    expect(reply('scope', FailureType.ExchangeInvalidScope)).toMatchObject({ code: 'invalid_scope', status: 400 });
  });

  it('H13: a dependency that cannot answer is temporarily_unavailable (503) at any stage', () => {
    expect(reply('subject', FailureType.KeySetUnavailable)).toMatchObject({ code: 'temporarily_unavailable', status: 503 });
    expect(reply('caller', FailureType.RevocationsUnavailable)).toMatchObject({ code: 'temporarily_unavailable', status: 503 });
    expect(reply('replay', FailureType.ReplayStoreUnavailable)).toMatchObject({ code: 'temporarily_unavailable', status: 503 });
  });

  it('atStage: a BindingError becomes a refusal of that stage; a pass returns its value; anything else propagates', async () => {
    await expect(atStage('caller', () => { throw error(FailureType.Revoked); })).rejects.toMatchObject({ name: 'ExchangeRefusal', stage: 'caller' });
    await expect(atStage('subject', () => 42)).resolves.toBe(42);
    await expect(atStage('subject', () => { throw new TypeError('bug'); })).rejects.toBeInstanceOf(TypeError);
  });
});
