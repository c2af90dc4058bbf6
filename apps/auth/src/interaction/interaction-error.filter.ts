/**
 * Turns failures on the login pages into a short HTML page with the right status. oidc-provider's
 * errors (an expired or missing interaction cookie: `SessionNotFound`, 400) carry their own
 * status and a description that holds no secrets; anything else stays a 500 from Nest.
 */
import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { errors } from 'oidc-provider';
import { sendHtml } from './login-page.js';
import { FormError } from './read-form.js';

function escapeText(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

@Catch(errors.OIDCProviderError, FormError)
export class InteractionErrorFilter implements ExceptionFilter {
  catch(error: errors.OIDCProviderError | FormError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<ServerResponse>();
    if (res.headersSent) return;
    const [status, message] =
      error instanceof FormError ? [error.status, error.message] : [error.statusCode, error.error_description ?? error.error];
    sendHtml(res, status, `<!doctype html><title>Sign-in error</title><p>${escapeText(message)}</p><p>Start again from the app.</p>\n`);
  }
}
