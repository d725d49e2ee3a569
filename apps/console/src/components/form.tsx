// Labelled form fields with their server-side issue (details.issues[{field, reason}]) shown right under them.
import { useId, type ReactNode } from 'react';
import { ApiError, errorMessage } from '../api/http';

export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${error ? 'field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(error ? { 'aria-invalid': true } : {}),
      })}
      {hint ? (
        <div id={hintId} className="field-hint">
          {hint}
        </div>
      ) : null}
      {error ? (
        <div id={errorId} className="field-error">
          {error}
        </div>
      ) : null}
    </div>
  );
}

/** The message of a failed submit, plus any field issues that no visible field claimed. */
export function FormError({ error, shownFields = [] }: { error: unknown; shownFields?: readonly string[] }) {
  if (!error) return null;
  const rest = error instanceof ApiError ? error.fieldIssues.filter((i) => !shownFields.includes(i.field)) : [];
  return (
    <div className="form-error" role="alert">
      <p>{errorMessage(error)}</p>
      {rest.length > 0 ? (
        <ul>
          {rest.map((i) => (
            <li key={`${i.field}:${i.reason}`}>
              <code>{i.field}</code>: {i.reason}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The reason the server gave for `field`, if the error is an ApiError with field issues. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.fieldError(field) : undefined;
}
