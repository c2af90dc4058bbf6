/**
 * The user-facing side of an authorization request. oidc-provider redirects the browser here
 * (interactions.url) when it needs the user; we log them in with the plain demo form, imply
 * consent for first-party clients, and hand the result back with interactionFinished, which
 * redirects to the authorization endpoint to resume the request.
 *
 * The interaction is found through its cookie, which the provider scoped to this path; the `uid`
 * in the URL must name that same interaction, so a stale tab cannot finish another login.
 */
import { BadRequestException, Controller, Get, Inject, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DevAccounts } from '../accounts/dev-accounts.js';
import { ProviderHost } from '../provider/provider-host.js';
import { firstPartyConsent } from './first-party-consent.js';
import { InteractionErrorFilter } from './interaction-error.filter.js';
import { renderLoginPage, sendHtml } from './login-page.js';
import { readForm } from './read-form.js';

@Controller('interaction')
@UseFilters(InteractionErrorFilter)
export class InteractionController {
  constructor(
    @Inject(ProviderHost) private readonly host: ProviderHost,
    @Inject(DevAccounts) private readonly accounts: DevAccounts,
  ) {}

  private async interaction(uid: string, req: IncomingMessage, res: ServerResponse) {
    const interaction = await this.host.provider.interactionDetails(req, res);
    if (interaction.uid !== uid) throw new BadRequestException('this sign-in page belongs to another request');
    return interaction;
  }

  @Get(':uid')
  async show(@Param('uid') uid: string, @Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    const provider = this.host.provider;
    const interaction = await this.interaction(uid, req, res);
    if (interaction.prompt.name === 'login') {
      const model = { uid, clientId: String(interaction.params['client_id']), scope: String(interaction.params['scope'] ?? '') };
      return sendHtml(res, 200, renderLoginPage(model));
    }
    if (interaction.prompt.name === 'consent') {
      const result = await firstPartyConsent(provider, interaction);
      return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
    }
    // The default policy has only the two prompts above; fail closed on anything else.
    const result = { error: 'interaction_required', error_description: `unsupported prompt ${interaction.prompt.name}` };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }

  @Post(':uid/login')
  async login(@Param('uid') uid: string, @Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    const interaction = await this.interaction(uid, req, res);
    if (interaction.prompt.name !== 'login') throw new BadRequestException('this request does not need a login');
    const form = await readForm(req);
    const username = form.get('username') ?? '';
    const accountId = this.accounts.verify(username, form.get('password') ?? '');
    if (accountId === undefined) {
      const model = { uid, clientId: String(interaction.params['client_id']), scope: String(interaction.params['scope'] ?? '') };
      return sendHtml(res, 401, renderLoginPage({ ...model, username, error: 'Unknown username or wrong password.' }));
    }
    // remember: false keeps the session cookie transient (it ends with the browser session).
    const result = { login: { accountId, remember: false } };
    return this.host.provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }

  @Post(':uid/abort')
  async abort(@Param('uid') uid: string, @Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    await this.interaction(uid, req, res);
    const result = { error: 'access_denied', error_description: 'End-User aborted interaction' };
    return this.host.provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }
}
