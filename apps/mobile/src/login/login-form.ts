/**
 * Finds the login form in an HTML page the way a person would: the form that has a password
 * field. Returns where it posts and the hidden fields it carries. Deliberately small: it reads
 * the authorization server's plain demo page (apps/auth login-page.ts), not arbitrary HTML.
 */
export interface LoginForm {
  readonly action: URL;
  readonly hiddenFields: ReadonlyArray<readonly [string, string]>;
}

function unescapeHtml(value: string): string {
  return value
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCodePoint(parseInt(code, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  const raw = match?.[1] ?? match?.[2] ?? match?.[3];
  return raw === undefined ? undefined : unescapeHtml(raw);
}

export function findLoginForm(html: string, pageUrl: URL): LoginForm | undefined {
  for (const [, openTag = '', body = ''] of html.matchAll(/(<form\b[^>]*>)([\s\S]*?)<\/form>/gi)) {
    const inputs = [...body.matchAll(/<input\b[^>]*>/gi)].map(([tag]) => tag);
    if (!inputs.some((tag) => attribute(tag, 'type')?.toLowerCase() === 'password')) continue;
    if ((attribute(openTag, 'method') ?? 'get').toLowerCase() !== 'post') continue;
    const hiddenFields = inputs
      .filter((tag) => attribute(tag, 'type')?.toLowerCase() === 'hidden')
      .map((tag) => [attribute(tag, 'name') ?? '', attribute(tag, 'value') ?? ''] as const)
      .filter(([name]) => name !== '');
    return { action: new URL(attribute(openTag, 'action') ?? pageUrl.href, pageUrl), hiddenFields };
  }
  return undefined;
}
