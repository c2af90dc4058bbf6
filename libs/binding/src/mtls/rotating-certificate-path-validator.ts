import { BindingConfigError } from '../errors/binding-error.js';
import type { CertificatePathValidator, ValidatedCertificate } from './certificate-path.js';

/**
 * SECURITY.md L4, receiver side: the hop-proof certificate path validator (H3) of a workload whose
 * trust bundle changes while it runs (a new CA added before leaves are issued under it, an old one
 * removed after its last leaf expired). It delegates to one validator built by
 * createCertificatePathValidator for the current bundle; `use()` swaps it. The new validator starts
 * with an empty path cache, so a chain validated under a removed anchor is not served from the old
 * cache: the next proof carrying it is refused (CertificateUntrusted).
 * Does not read the bundle: whoever calls `use()` has loaded it.
 */
export class RotatingCertificatePathValidator implements CertificatePathValidator {
  #current: CertificatePathValidator;

  constructor(initial: CertificatePathValidator) {
    this.#current = checked(initial);
  }

  validate(x5c: readonly string[]): ValidatedCertificate {
    return this.#current.validate(x5c);
  }

  /** From now on, validate against `next` (built for the new trust bundle). */
  use(next: CertificatePathValidator): void {
    this.#current = checked(next);
  }
}

function checked(validator: CertificatePathValidator): CertificatePathValidator {
  if (typeof validator?.validate !== 'function') {
    throw new BindingConfigError('rotating certificate path validator: expected createCertificatePathValidator()');
  }
  return validator;
}
