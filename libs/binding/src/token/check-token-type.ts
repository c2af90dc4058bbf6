import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { TypRequirement } from './access-token-verifier-options.js';

const ACCESS_TOKEN_MEDIA_TYPE = 'application/at+jwt';

/**
 * E18, H8: explicit typing keeps other JWTs (ID tokens, DPoP or hop proofs, logout tokens) from
 * being accepted as access tokens (RFC 8725 §3.11).
 *
 * RFC 9068 §4: "The resource server MUST verify that the typ header value is at+jwt or
 * application/at+jwt and reject tokens carrying any other value." The comparison follows RFC 7515
 * §4.1.9: media types are case-insensitive, and "A recipient using the media type value MUST treat
 * it as if application/ were prepended to any typ value not containing a '/'".
 *
 * With `accepted-when-present`, a token without `typ` passes (for issuers that predate RFC 9068);
 * a present `typ` must still be `at+jwt`, so `typ: JWT` (an ID token's) is refused in both modes.
 *
 * Runs on the verified protected header only. Does not check anything else in the header: jose
 * checks `alg` and `crit`.
 */
export function checkTokenType(header: { readonly typ?: unknown }, requirement: TypRequirement): void {
  const typ = header.typ;
  if (typ === undefined && requirement === 'accepted-when-present') return;
  if (typeof typ !== 'string' || mediaType(typ) !== ACCESS_TOKEN_MEDIA_TYPE) {
    throw new BindingError(FailureType.TokenType, typ === undefined ? 'token has no typ header; at+jwt is required' : 'token typ is not at+jwt');
  }
}

function mediaType(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.includes('/') ? lower : `application/${lower}`;
}
