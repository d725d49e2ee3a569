// Labelled form fields with their server-side issue (details.issues[{field, reason}]) shown right under them.
import { useEffect, useId, useRef, type ReactNode } from 'react';
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

/**
 * What went wrong with a failed submit, said once: when the fields shown claim every issue (each under its field,
 * highlighted), only a pointer to them; issues no field claims are listed in words ("Tag filters #1 key"), not as
 * API paths. Focus moves to the first highlighted field, which may be above the fold.
 */
export function FormError({ error, shownFields = [] }: { error: unknown; shownFields?: readonly string[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const issues = formIssues(error);
  const rest = issues.filter((i) => !shownFields.includes(i.field));
  const claimed = issues.length - rest.length;
  const message = errorMessage(error);
  useEffect(() => {
    if (!error || claimed === 0) return;
    const scope = ref.current?.closest('form, dialog, .stack') ?? document;
    scope.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [error, claimed]);
  if (!error) return null;
  return (
    <div className="form-error" role="alert" ref={ref}>
      <p>
        {restates(message, issues)
          ? claimed > 0
            ? `Check the highlighted field${claimed === 1 ? '' : 's'}${rest.length > 0 ? ', and:' : '.'}`
            : 'Some values were refused:'
          : plainMessage(message)}
      </p>
      {rest.length > 0 ? (
        <ul>
          {rest.map((i) => (
            <li key={`${i.field}:${i.reason}`}>
              {humanField(i.field)}: {i.reason}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The API's message only repeats its field issues ("body.x: reason"): the fields and the list say it better. */
function restates(message: string, issues: readonly FieldIssue[]): boolean {
  return (
    issues.length > 0 &&
    (/^(body|querystring|params)\./.test(message) || issues.some((i) => message.includes(i.reason)))
  );
}

/** An API field path in words: `body.tagFilters.0.key` → "Tag filters #1 key". */
export function humanField(path: string): string {
  const words = path
    .replace(/^(body|querystring|params)\.?/, '')
    .split('.')
    .filter((s) => s !== '')
    .map((s) => (/^\d+$/.test(s) ? `#${Number(s) + 1}` : s.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()))
    .join(' ');
  return words === '' ? 'The request' : words.charAt(0).toUpperCase() + words.slice(1);
}

/** An API message that starts with a field path ("querystring.bundleType: declared zip but…"), in words. */
export function plainMessage(message: string): string {
  const m = /^((?:body|querystring|params)(?:\.[\w[\]]+)*): (.*)$/s.exec(message);
  return m?.[1] && m[2] !== undefined ? `${humanField(m[1])}: ${m[2]}` : message;
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
