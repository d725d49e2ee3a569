// Labelled form fields with their server-side issue (details.issues[{field, reason}]) shown right under them.
import { useId, type ReactNode } from 'react';
import { isDroverApiError } from '@drover/client';
import type { FieldIssue } from '@drover/contracts';
import { errorMessage } from '../api/errors';

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
  const rest = formIssues(error).filter((i) => !shownFields.includes(i.field));
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

/** Field-level problems of a 400 answer, named as the form names its fields (without the API's `body.` prefix). */
export function formIssues(error: unknown): FieldIssue[] {
  if (!isDroverApiError(error)) return [];
  return error.fieldIssues.map((i) => ({ field: i.field.replace(/^body\./, ''), reason: i.reason }));
}

/** The reason the server gave for `field`, if the error is an API error with field issues. */
export function fieldError(error: unknown, field: string): string | undefined {
  return formIssues(error).find((i) => i.field === field)?.reason;
}

/** A submit button that says so while its request runs (and cannot be pressed twice). */
export function SubmitButton({
  pending,
  pendingLabel = 'Saving…',
  disabled = false,
  children,
}: {
  pending: boolean;
  pendingLabel?: string;
  disabled?: boolean;
  children: ReactNode;
}) {
  return (
    <button type="submit" className="btn btn-primary" disabled={pending || disabled} aria-busy={pending}>
      {pending ? pendingLabel : children}
    </button>
  );
}

/**
 * The end of a form: what went wrong with the last submit, then Cancel (where the form can be left: dialogs, inline
 * edits) and the submit button. In a dialog the buttons sit on the right, elsewhere on the left under the fields.
 */
export function FormActions({
  error,
  shownFields,
  onCancel,
  ...submit
}: {
  error: unknown;
  /** Fields whose issues are already shown under them. */
  shownFields?: readonly string[];
  onCancel?: () => void;
  pending: boolean;
  pendingLabel?: string;
  disabled?: boolean;
  children: ReactNode;
}) {
  return (
    <>
      <FormError error={error} shownFields={shownFields} />
      <div className={onCancel ? 'actions actions-end' : 'actions'}>
        {onCancel ? (
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
        <SubmitButton {...submit} />
      </div>
    </>
  );
}

/** A labelled one-line input for text or an email address, with its hint and server-side issue. */
export function TextField({
  label,
  hint,
  error,
  value,
  onChange,
  type = 'text',
  required = false,
  maxLength,
  placeholder,
  focusFirst = false,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  value: string;
  onChange: (value: string) => void;
  type?: 'text' | 'email';
  required?: boolean;
  maxLength?: number;
  placeholder?: string;
  /** In a dialog: the field focus goes to when it opens. */
  focusFirst?: boolean;
}) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(p) => (
        <input
          {...p}
          type={type}
          required={required}
          maxLength={maxLength}
          placeholder={placeholder}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          {...(focusFirst ? { 'data-autofocus': true } : {})}
        />
      )}
    </Field>
  );
}

/** A labelled password input: the user's current password, or a new one (so password managers offer to generate). */
export function PasswordField({
  label,
  hint,
  error,
  purpose,
  minLength,
  value,
  onChange,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  purpose: 'current' | 'new';
  minLength?: number;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(p) => (
        <input
          {...p}
          type="password"
          autoComplete={`${purpose}-password`}
          required
          minLength={minLength}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

/** One radio button per option, its label beside it; wrap in a fieldset whose legend names the choice. */
export function RadioChoices<V extends string>({
  name,
  value,
  onChange,
  options,
}: {
  name: string;
  value: V;
  onChange: (value: V) => void;
  options: readonly { value: V; label: ReactNode }[];
}) {
  return (
    <>
      {options.map((o) => (
        <label className="choice" key={o.value}>
          <input type="radio" name={name} checked={value === o.value} onChange={() => onChange(o.value)} />
          <span>{o.label}</span>
        </label>
      ))}
    </>
  );
}
