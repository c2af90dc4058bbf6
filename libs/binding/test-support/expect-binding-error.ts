// Test support only (never imported by library code, never packed): the one assertion every
// negative test of a check makes (STYLE.md "Tests": every negative test asserts the error's
// `code` and `type`). Jest-only: it imports the library's source, so the bench never compiles it.
import { expect } from '@jest/globals';
import { BindingError } from '../src/errors/binding-error.js';
import type { ErrorCode, FailureType } from '../src/errors/failure-type.js';

/**
 * Asserts that `action` throws, or `promise` rejects with, a BindingError of failure `type`
 * carrying the RFC error `code`, and returns it for what a test checks beyond them (status,
 * nonce, scope, cause). A return, a resolution or another error fails the test. A function
 * that returns a promise is a mistake (it would never throw): pass the promise itself.
 */
export function expectBindingError(promise: PromiseLike<unknown>, type: FailureType, code: ErrorCode): Promise<BindingError>;
export function expectBindingError(action: () => unknown, type: FailureType, code: ErrorCode): BindingError;
export function expectBindingError(subject: PromiseLike<unknown> | (() => unknown), type: FailureType, code: ErrorCode): BindingError | Promise<BindingError> {
  if (typeof subject !== 'function') {
    return Promise.resolve(subject).then(
      () => refusalOf({ returned: 'resolved' }, type, code),
      (error: unknown) => refusalOf({ thrown: error }, type, code),
    );
  }
  let value: unknown;
  try {
    value = subject();
  } catch (error) {
    return refusalOf({ thrown: error }, type, code);
  }
  if (isThenable(value)) {
    Promise.resolve(value).catch(() => undefined); // not left as an unhandled rejection
    throw new TypeError('expectBindingError: the action returned a promise; pass the promise itself and await the result');
  }
  return refusalOf({ returned: 'returned' }, type, code);
}

/** What the call did; a value it returned is not kept (it may be a token or a key). */
type Outcome = { readonly returned: 'returned' | 'resolved' } | { readonly thrown: unknown };

function refusalOf(outcome: Outcome, type: FailureType, code: ErrorCode): BindingError {
  if (!('thrown' in outcome)) throw new Error(`expected a BindingError (${type}, ${code}), but the call ${outcome.returned}`);
  const error = outcome.thrown;
  expect(error).toBeInstanceOf(BindingError);
  expect(error).toMatchObject({ type, code });
  return error as BindingError;
}

function isThenable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
