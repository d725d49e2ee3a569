// /v1/auth: password log-in (a console session: cookie + CSRF token), who am I, log-out, password change.
// After login() the client authenticates with that session, which is how `drover login` creates an API token; in a
// browser the browser keeps the cookie and the client the CSRF token. A 401 from these calls is their answer (wrong
// password, not logged in), not a session that ended.
import { LoginResponse, MeResponse, OkResponse, SESSION_COOKIE_NAME } from '@drover/contracts';
import { checkShape, readBody, type Transport } from '../http';
import { DroverApiError } from '../errors';

/** The session secret from a log-in answer's Set-Cookie headers. */
export function sessionCookieOf(setCookies: readonly string[]): string | undefined {
  for (const c of setCookies) {
    const [pair] = c.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (pair && eq > 0 && pair.slice(0, eq).trim() === SESSION_COOKIE_NAME) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

export function authApi(t: Transport) {
  return {
    async login(email: string, password: string): Promise<LoginResponse> {
      const res = await t.send('POST', '/v1/auth/login', { json: { email, password }, unauthorizedIsAnswer: true });
      const body = checkShape(LoginResponse, await readBody(res), 'POST /v1/auth/login', res);
      if (t.browserHoldsSession) {
        t.setCsrfToken(body.csrfToken);
        return body;
      }
      const cookie = sessionCookieOf(res.headers.getSetCookie());
      if (!cookie) throw new DroverApiError(res.status, 'InvalidResponse', 'the log-in answer set no session cookie');
      t.setSession(cookie, body.csrfToken);
      return body;
    },
    me: (signal?: AbortSignal) => t.json('GET', '/v1/auth/me', MeResponse, { signal, unauthorizedIsAnswer: true }),
    /** Ends the session (if the client has one). */
    logout: () => t.json('POST', '/v1/auth/logout', OkResponse, { unauthorizedIsAnswer: true }),
    changePassword: (currentPassword: string, newPassword: string) =>
      t.json('POST', '/v1/auth/password', OkResponse, { json: { currentPassword, newPassword } }),
  };
}
