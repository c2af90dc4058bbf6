/**
 * The cases on which the four former copies of the SPIFFE ID rule disagreed (issue 13), for the
 * specs of every place that now uses the one rule (spiffeIdProblem). The former copies: the
 * outbound client's pattern, the hop verifier's audience pattern, `@Bound`'s `spiffe://` prefix
 * test, and the certificate generator's URL parse (certs/); H3's checkSpiffeId was the strict one.
 */

const LONGEST_PATH = 'a'.repeat(2048 - 'spiffe://estate.local/'.length);

/** Workload SPIFFE IDs every place accepts. */
export const VALID_SPIFFE_IDS: readonly string[] = Object.freeze([
  'spiffe://estate.local/orders',
  'spiffe://estate.local/ns/prod/sa/Orders-1_v2.0',
  `spiffe://estate.local/${LONGEST_PATH}`, // SPIFFE ID §2.3: 2048 bytes, the most that must be supported
]);

/** Not workload SPIFFE IDs, refused everywhere; each says which former copy let it through. */
export const INVALID_SPIFFE_IDS: readonly (readonly [id: string, formerlyAcceptedBy: string])[] = Object.freeze([
  ['spiffe://estate.local', '@Bound (no path: a trust domain, not a workload)'],
  ['spiffe://estate.local/', '@Bound'],
  ['spiffe://estate.local/orders/', 'outbound, hop audience, @Bound, certs (trailing /)'],
  ['spiffe://estate.local//orders', 'outbound, hop audience, @Bound, certs (empty segment)'],
  ['spiffe://estate.local/./orders', 'outbound, hop audience, @Bound, certs (dot segment)'],
  ['spiffe://estate.local/a/../sts', 'outbound, hop audience, @Bound, certs (dot-dot segment)'],
  ['spiffe://Estate.Local/orders', 'hop audience, @Bound, certs (upper-case trust domain)'],
  ['SPIFFE://estate.local/orders', 'certs (upper-case scheme)'],
  ['spiffe://estate.local:8443/orders', 'hop audience, @Bound (port)'],
  ['spiffe://admin@estate.local/orders', 'hop audience, @Bound (userinfo)'],
  ['spiffe://estate.local/orders?x=1', 'hop audience, @Bound (query)'],
  ['spiffe://estate.local/orders#x', 'hop audience, @Bound (fragment)'],
  ['spiffe://estate.local/orders%2Fadmin', 'hop audience, @Bound, certs (percent-encoding)'],
  ['spiffe://estate.local/or ders', 'hop audience, @Bound, certs (space)'],
  [`spiffe://${'a'.repeat(256)}/orders`, 'outbound, hop audience, @Bound, certs (trust domain over 255)'],
  [`spiffe://estate.local/${LONGEST_PATH}a`, 'outbound, hop audience, @Bound, certs (2049 characters)'],
  ['https://estate.local/orders', 'none (control)'],
]);
