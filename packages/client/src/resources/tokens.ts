// /v1/tokens (API tokens for scripts) and /v1/registration-tokens (for agents joining).
import {
  ApiTokenPage,
  CreateApiTokenResponse,
  CreateRegistrationTokenResponse,
  RegistrationTokenPage,
  type CreateApiTokenRequest,
  type CreateRegistrationTokenRequest,
  type ListApiTokensQuery,
  type ListRegistrationTokensQuery,
} from '@drover/contracts';
import type { z } from 'zod';
import { encode, type Transport } from '../http';

export function apiTokensApi(t: Transport) {
  return {
    /** `all: true` includes revoked and expired tokens. */
    list: (
      query: { all?: boolean } & Partial<Omit<z.input<typeof ListApiTokensQuery>, 'all'>> = {},
      signal?: AbortSignal,
    ) => t.json('GET', '/v1/tokens', ApiTokenPage, { query, signal }),
    /** The answer's `token` is the secret, shown only here. */
    create: (body: z.input<typeof CreateApiTokenRequest>) =>
      t.json('POST', '/v1/tokens', CreateApiTokenResponse, { json: body }),
    revoke: (tokenId: string) => t.empty('DELETE', `/v1/tokens/${encode(tokenId)}`),
  };
}

export function registrationTokensApi(t: Transport) {
  return {
    list: (query: Partial<z.input<typeof ListRegistrationTokensQuery>> = {}, signal?: AbortSignal) =>
      t.json('GET', '/v1/registration-tokens', RegistrationTokenPage, { query, signal }),
    create: (body: z.input<typeof CreateRegistrationTokenRequest>) =>
      t.json('POST', '/v1/registration-tokens', CreateRegistrationTokenResponse, { json: body }),
    revoke: (tokenId: string) => t.empty('DELETE', `/v1/registration-tokens/${encode(tokenId)}`),
  };
}
