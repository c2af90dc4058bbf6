/**
 * The one scope grammar of the estate (the guard's `@Bound` scopes, the policy check, the outbound
 * client, the STS's requests and policy, the auth server's and the clients' configuration).
 *
 * RFC 6749 §3.3: "The value of the scope parameter is expressed as a list of space-delimited,
 * case-sensitive strings": `scope = scope-token *( SP scope-token )`, with
 * `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`: printable ASCII except space, `"` and `\`.
 */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** One RFC 6749 §3.3 scope-token. */
export function isScopeToken(value: unknown): value is string {
  return typeof value === 'string' && SCOPE_TOKEN.test(value);
}

/**
 * The scope-tokens of a space-delimited scope, in order, each once (RFC 6749 §3.3: "If the value
 * contains multiple space-delimited strings, their order does not matter"); empty when the scope
 * names none. Only SP (%x20) delimits: extra spaces between, before or after tokens are tolerated,
 * but a tab, a line break or any other character outside the grammar is no delimiter and makes
 * the whole scope malformed: undefined.
 * Does not say whether an empty scope is acceptable: the caller does.
 */
export function parseScope(value: string): readonly string[] | undefined {
  const tokens = new Set<string>();
  for (const item of value.split(' ')) {
    if (item === '') continue;
    if (!SCOPE_TOKEN.test(item)) return undefined;
    tokens.add(item);
  }
  return Object.freeze([...tokens]);
}
