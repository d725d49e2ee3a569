// "Ask first, then do it": the state behind a ConfirmDialog that runs one mutation on one subject (a token to revoke,
// a user to disable, a deployment to stop). Asking clears the last attempt's error, success closes the dialog, and
// cancelling forgets both the subject and the error.
import { useState } from 'react';
import { errorMessage } from '../api/errors';

/** The part of a TanStack mutation this needs (any useMutation result fits). */
export interface ConfirmableMutation<TVariables, TData> {
  mutate: (variables: TVariables, options: { onSuccess: (data: TData) => void }) => void;
  reset: () => void;
  isPending: boolean;
  error: unknown;
}

export function useConfirmAction<S, TVariables, TData>(
  mutation: ConfirmableMutation<TVariables, TData>,
  variables: (subject: S) => TVariables,
  onDone?: (data: TData, subject: S) => void,
) {
  const [subject, setSubject] = useState<{ value: S } | null>(null);
  return {
    /** What the dialog asks about, or null while it is closed. */
    subject: subject?.value ?? null,
    ask: (value: S) => {
      mutation.reset();
      setSubject({ value });
    },
    /** Spread into <ConfirmDialog>; the caller adds title, confirmLabel, tone and the body. */
    dialog: {
      open: subject !== null,
      pending: mutation.isPending,
      error: mutation.error ? errorMessage(mutation.error) : null,
      onCancel: () => {
        mutation.reset();
        setSubject(null);
      },
      onConfirm: () => {
        if (!subject) return;
        mutation.mutate(variables(subject.value), {
          onSuccess: (data) => {
            setSubject(null);
            onDone?.(data, subject.value);
          },
        });
      },
    },
  };
}
