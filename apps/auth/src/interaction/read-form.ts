/**
 * Reads an `application/x-www-form-urlencoded` body from the raw request. The Nest app runs with
 * its body parser off, because oidc-provider reads its own request bodies and warns against
 * (and works around) a parser in front of it; the login form is the one body we parse ourselves.
 */
import type { IncomingMessage } from 'node:http';

export const MAX_FORM_BYTES = 8 * 1024; // a username and a password, with room to spare

export class FormError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'FormError';
  }
}

export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new FormError('expected a form submission', 415);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new FormError('form too large', 413);
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
