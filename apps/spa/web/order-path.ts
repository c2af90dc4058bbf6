/**
 * An order's path through the estate as a picture (issue 12 "Seeing it"): one box per hop, left
 * to right: this browser, the edge, orders, inventory, with the STS exchange between each pair of
 * workloads. Each hop shows who called it (its actor chain, as the order records it: `placedVia`
 * for orders, `reservation.via` for inventory), the audience and the confirmation method of the
 * token it carried, and the checks it passed (SECURITY.md ids). Built with textContent only (the
 * page's CSP requires Trusted Types); no token is shown, ever: only SPIFFE IDs and the key
 * thumbprint the page already shows.
 * What is drawn from the answer: the actor chains and the end user. What is drawn from the
 * protocol, because the guard admitted the call only so (ARCHITECTURE "Check at B"): the audience
 * of an internal token is the callee's SPIFFE ID, its confirmation `x5t#S256` of the caller's
 * certificate.
 */
import { element } from './page-view.js';

const TRUST_DOMAIN = 'spiffe://estate.local/';

interface HopPicture {
  readonly name: string;
  readonly caller: string;
  readonly actorChain: readonly string[];
  readonly audience: string;
  readonly confirmation: string;
  readonly checks: readonly string[];
}

/** The checks every guarded internal hop passed (SECURITY.md H1-H12), in the guard's order. */
const HOP_CHECKS: readonly string[] = ['H1-H4 hop proof, certificate, signature', 'H5-H7 aud, sub, iat/exp, ath, pdh, trace (oth)', 'H8-H11 STS token, aud, x5t#S256, act', 'H12 not revoked', 'H6 jti once'];

/** A hop to `workload`, called by the first of `actorChain`: its token's audience is the callee's SPIFFE ID, bound to the caller's certificate. */
function internalHop(name: string, workload: string, actorChain: readonly string[]): HopPicture {
  return {
    name,
    caller: actorChain[0] ?? '?',
    actorChain,
    audience: `${TRUST_DOMAIN}${workload}`,
    confirmation: 'x5t#S256 of the caller\'s certificate',
    checks: HOP_CHECKS,
  };
}

/** The hops of an order answer (`{ owner, placedVia, reservation: { via } }`); undefined for anything else. */
export function orderPathOf(body: unknown, context: { readonly jkt: string; readonly edgeAudience: string }): HopPicture[] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const order = body as { owner?: unknown; placedVia?: unknown; reservation?: { via?: unknown } };
  const chain = (value: unknown): string[] | undefined => (Array.isArray(value) && value.every((entry) => typeof entry === 'string') ? (value as string[]) : undefined);
  const placedVia = chain(order.placedVia);
  const via = chain(order.reservation?.via);
  if (typeof order.owner !== 'string' || placedVia === undefined || via === undefined) return undefined;
  return [
    {
      name: 'edge (HTTP)',
      caller: `this browser, for ${order.owner}`,
      actorChain: [],
      audience: context.edgeAudience,
      confirmation: `DPoP: cnf.jkt = ${context.jkt}`,
      checks: ['E1-E5 framing', 'E6-E11 proof and signature', 'E12-E14 htm, htu', 'E15-E17 nonce, iat, jti once', 'E18-E21 token, ath, cnf.jkt', 'H12 not revoked'],
    },
    internalHop('orders (orders.create)', 'orders', placedVia),
    internalHop('inventory (inventory.reserve)', 'inventory', via),
  ];
}

function node(tag: string, className: string, text?: string): HTMLElement {
  const created = document.createElement(tag);
  created.className = className;
  if (text !== undefined) created.textContent = text;
  return created;
}

function line(label: string, value: string): HTMLElement {
  const row = node('div', 'hop-line');
  row.append(node('span', 'hop-label', label), node('span', 'hop-value', value));
  return row;
}

/** Draws the path of an order answer into #order-path; clears it for an answer that is not an order. */
export function showOrderPath(body: unknown, context: { readonly jkt: string; readonly edgeAudience: string }): void {
  const target = element('order-path');
  target.replaceChildren();
  const hops = orderPathOf(body, context);
  if (hops === undefined) {
    target.hidden = true;
    return;
  }
  target.hidden = false;
  target.append(node('h2', '', 'The order\'s path'));
  const row = node('ol', 'hops');
  hops.forEach((hop, index) => {
    if (index > 0) row.append(node('li', 'exchange', `STS: RFC 8693 exchange → token for ${hop.audience.replace(TRUST_DOMAIN, '')}, bound to ${hops[index - 1]!.name.split(' ')[0]}'s certificate`));
    const box = node('li', 'hop');
    box.dataset['hop'] = hop.name.split(' ')[0];
    box.append(node('h3', 'hop-name', hop.name), line('called by', hop.caller));
    if (hop.actorChain.length > 0) box.append(line('actor chain (act)', hop.actorChain.join(' ← ')));
    box.append(line('token audience', hop.audience), line('confirmation', hop.confirmation));
    const checks = node('ul', 'hop-checks');
    for (const check of hop.checks) checks.append(node('li', 'passed', `✓ ${check}`));
    box.append(checks);
    row.append(box);
  });
  target.append(row);
}
