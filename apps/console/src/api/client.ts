// The console's Drover client: @drover/client as a page the API serves uses it. Relative /v1 URLs (same origin), the
// browser's session cookie, the session's CSRF token on every request that is not a GET, no time limit of its own
// (React Query cancels what a page no longer needs), and a 401 handed to the handler the app installs.
import { createDroverClient, type DroverApiError } from '@drover/client';

type UnauthorizedHandler = (error: DroverApiError) => void;

const sendToLogin: UnauthorizedHandler = () => {
  const { pathname, search } = window.location;
  if (pathname === '/login') return;
  window.location.assign(`/login?next=${encodeURIComponent(pathname + search)}`);
};
let onUnauthorized: UnauthorizedHandler = sendToLogin;

export const api = createDroverClient({
  baseUrl: '',
  credentials: 'same-origin',
  userAgent: null,
  timeoutMs: 0,
  onUnauthorized: (error) => onUnauthorized(error),
});

/** The app installs a router-aware handler; tests install a spy. Returns a function restoring the previous one. */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): () => void {
  const previous = onUnauthorized;
  onUnauthorized = handler;
  return () => {
    onUnauthorized = previous;
  };
}

/** Remembered from log-in and "who am I"; null when there is no session. */
export function setCsrfToken(token: string | null): void {
  api.transport.setCsrfToken(token);
}
