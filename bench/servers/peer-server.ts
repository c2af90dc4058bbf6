import express, { type NextFunction, type Request, type Response } from 'express';
import { auth } from 'express-oauth2-jwt-bearer';

/**
 * The peer the edge is compared with: Auth0's express-oauth2-jwt-bearer on a bare Express app,
 * DPoP enabled and required (its README: `auth({ issuer, jwksUri, audience, dpop: { enabled: true,
 * required: true } })`), the same issuer and keys, the same route and answer as the edge's
 * `GET /v1/me`. Environment: PORT, AUTH_ISSUER, AUTH_JWKS_URI, AUDIENCE.
 * It verifies the token and the proof on every request; it keeps no record of `jti`s (no replay
 * protection), which the bench records beside its figures.
 */
const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
};

const app = express();
app.disable('x-powered-by');
app.get('/healthz', (_request: Request, response: Response) => {
  response.json({ status: 'ok' });
});
app.get(
  '/v1/me',
  auth({
    issuer: env('AUTH_ISSUER'),
    jwksUri: env('AUTH_JWKS_URI'),
    audience: env('AUDIENCE'),
    tokenSigningAlg: 'ES256',
    dpop: { enabled: true, required: true },
  }),
  (request: Request, response: Response) => {
    const payload = request.auth?.payload ?? {};
    const cnf = payload['cnf'] as { jkt?: string } | undefined;
    response.json({ sub: payload.sub, client_id: payload['client_id'], scope: payload['scope'], confirmation: 'dpop', jkt: cnf?.jkt });
  },
);
// The middleware's errors carry status and WWW-Authenticate; answer them without logging a stack
// per refusal (Express's default handler would), as the edge answers without one.
app.use((error: { status?: number; headers?: Record<string, string>; code?: string }, _request: Request, response: Response, _next: NextFunction) => {
  response.status(error.status ?? 500).set(error.headers ?? {}).json({ error: error.code ?? 'server_error' });
});

const server = app.listen(Number(env('PORT')), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
