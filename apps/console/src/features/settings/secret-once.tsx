import { CopyButton } from '../../components/copy-button';

/** A secret returned once by the API: shown with a copy button and a clear warning. */
export function SecretOnce({ secret, what, onDone }: { secret: string; what: string; onDone: () => void }) {
  return (
    <div className="stack" role="region" aria-label={`New ${what}`}>
      <p className="notice notice-warning">
        Copy this {what} now. It is shown only once; Drover stores only a hash of it.
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
