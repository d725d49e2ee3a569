import type { ReactNode } from 'react';
import { CopyButton } from '../../components/copy-button';

/** A secret returned once by the API: shown with a copy button and a clear warning. */
export function SecretOnce({
  secret,
  what,
  onDone,
  warning,
}: {
  secret: string;
  what: string;
  onDone: () => void;
  /** What to say instead of the default (which says Drover keeps only a hash: not true of every secret). */
  warning?: ReactNode;
}) {
  return (
    <div className="stack" role="region" aria-label={`New ${what}`}>
      <p className="notice notice-warning">
        {warning ?? <>Copy this {what} now. It is shown only once; Drover stores only a hash of it.</>}
      </p>
      <div className="secret-box">
        <code>{secret}</code>
        <CopyButton text={secret} what={what} />
      </div>
      <div>
        <button type="button" className="btn" onClick={onDone}>
          I have copied it
        </button>
      </div>
    </div>
  );
}
