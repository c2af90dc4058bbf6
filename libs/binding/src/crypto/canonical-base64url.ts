/**
 * Whether `segment` is the one base64url spelling of its bytes (RFC 7515 §2: base64url without
 * padding). RFC 4648 §3.5: "decoders MAY chose to reject an encoding if the pad bits have not been
 * set to zero"; a decoder that does not (Node's, jose's) reads several spellings of the last
 * character, and a length no encoder produces, as the same bytes. For a signature that means one
 * proof with several strings: refusing the others keeps one proof one string in logs, caches and
 * replay keys. Expects text already matched against the base64url alphabet.
 */
export function isCanonicalBase64url(segment: string): boolean {
  return Buffer.from(segment, 'base64url').toString('base64url') === segment;
}
