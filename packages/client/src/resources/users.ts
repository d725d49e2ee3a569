// /v1/users (admin) and /v1/audit (admin).
import {
  AuditPage,
  UserInfo,
  UserPage,
  type CreateUserRequest,
  type ListAuditQuery,
  type ListUsersQuery,
  type UpdateUserRequest,
} from '@drover/contracts';
import type { z } from 'zod';
import { encode, type Transport } from '../http';

export function usersApi(t: Transport) {
  const one = (id: string) => `/v1/users/${encode(id)}`;
  return {
    list: (query: Partial<z.input<typeof ListUsersQuery>> = {}, signal?: AbortSignal) =>
      t.json('GET', '/v1/users', UserPage, { query, signal }),
    get: (userId: string) => t.json('GET', one(userId), UserInfo),
    create: (body: z.input<typeof CreateUserRequest>) => t.json('POST', '/v1/users', UserInfo, { json: body }),
    update: (userId: string, body: z.input<typeof UpdateUserRequest>) =>
      t.json('PATCH', one(userId), UserInfo, { json: body }),
  };
}

export function auditApi(t: Transport) {
  return {
    /** Newest first; filters combine with AND. */
    list: (query: Partial<z.input<typeof ListAuditQuery>> = {}, signal?: AbortSignal) =>
      t.json('GET', '/v1/audit', AuditPage, { query, signal }),
  };
}
