// /v1/access-keys: SigV4 credentials for the CodeDeploy-compatible endpoint (docs/aws-compatibility.md).
import {
  AccessKeyPage,
  CreateAccessKeyResponse,
  type CreateAccessKeyRequest,
  type ListAccessKeysQuery,
} from '@drover/contracts';
import type { z } from 'zod';
import { encode, type Transport } from '../http';

export function accessKeysApi(t: Transport) {
  return {
    /** `all: true` includes revoked keys. */
    list: (
      query: { all?: boolean } & Partial<Omit<z.input<typeof ListAccessKeysQuery>, 'all'>> = {},
      signal?: AbortSignal,
    ) => t.json('GET', '/v1/access-keys', AccessKeyPage, { query, signal }),
    /** The answer's `secretAccessKey` is shown only here. */
    create: (body: z.input<typeof CreateAccessKeyRequest>) =>
      t.json('POST', '/v1/access-keys', CreateAccessKeyResponse, { json: body }),
    revoke: (accessKeyId: string) => t.empty('DELETE', `/v1/access-keys/${encode(accessKeyId)}`),
  };
}
