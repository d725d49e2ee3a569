import type { RegisterGitRevisionRequest, RegisterS3RevisionRequest } from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../client';
import { revisionJobKeys } from './queries';

/** Starts a Git or S3 registration; the application's registrations list then follows the job. */
export function useRegisterRevision(app: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (
      body:
        | { source: 'git'; request: z.input<typeof RegisterGitRevisionRequest> }
        | { source: 's3'; request: z.input<typeof RegisterS3RevisionRequest> },
    ) =>
      body.source === 'git'
        ? api.revisionSources.registerGit(app, body.request)
        : api.revisionSources.registerS3(app, body.request),
    onSuccess: () => qc.invalidateQueries({ queryKey: revisionJobKeys.list(app) }),
  });
}
