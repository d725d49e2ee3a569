// Upload a bundle (zip, tar, tgz) as a new revision, with a progress bar and a cancel button; and the warning box for
// what the uploaded appspec.yml says that CodeDeploy's agent ignores (kept by the page: the form closes on success).
import type { AppSpecWarning, RevisionInfo } from '@drover/contracts';
import { useRef, useState } from 'react';
import { useUploadRevision } from '../../api/revisions/mutations';
import type { UploadProgress } from '../../api/upload';
import { Field, fieldError, FormError, TextField } from '../../components/form';
import { formatBytes } from '../../lib/format';

/** The appspec warnings of the last upload, shown until dismissed or until the next upload starts. */
export function useUploadWarnings() {
  const [warnings, setWarnings] = useState<AppSpecWarning[]>([]);
  return {
    warnings,
    /** After a successful upload: its warnings (none clears the box). */
    show: (r: RevisionInfo) => setWarnings(r.appspecWarnings ?? []),
    clear: () => setWarnings([]),
  };
}

/** The parts of an uploaded appspec.yml CodeDeploy's agent silently ignores. Nothing when there are none. */
export function AppSpecWarningsBox({ warnings, onDismiss }: { warnings: AppSpecWarning[]; onDismiss: () => void }) {
  if (warnings.length === 0) return null;
  return (
    <div className="notice notice-warning appspec-warnings" role="alert" aria-label="appspec.yml warnings">
      <p>
        <strong>
          <span aria-hidden="true">⚠ </span>Warning:
        </strong>{' '}
        the revision was stored, but its appspec.yml has parts that will be ignored on the hosts, as CodeDeploy does.
      </p>
      <ul>
        {warnings.map((w, i) => (
          <li key={`${i}-${w.line}-${w.field}`}>
            appspec.yml line {w.line}, <code>{w.field}</code>: {w.message}
          </li>
        ))}
      </ul>
      <button type="button" className="btn" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}

export function UploadRevisionForm({
  app,
  onUploaded,
  onStart,
  onCancel,
  onFileChange,
}: {
  app: string;
  onUploaded: (r: RevisionInfo) => void;
  /** When an upload starts (the page hides the previous upload's warnings). */
  onStart?: () => void;
  /** Where the form can be left (a dialog): a Cancel button that also cancels an upload under way. */
  onCancel?: () => void;
  /** The chosen file, or null (the deploy form tells what it waits for). */
  onFileChange?: (file: File | null) => void;
}) {
  const upload = useUploadRevision(app);
  const [file, setFile] = useState<File | null>(null);
  const [description, setDescription] = useState('');
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const abort = useRef<AbortController | null>(null);
  const aborted = upload.error instanceof DOMException && upload.error.name === 'AbortError';

  const pct = progress && progress.total > 0 ? Math.round((progress.loaded / progress.total) * 100) : 0;
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        if (!file) return;
        onStart?.();
        abort.current = new AbortController();
        setProgress({ loaded: 0, total: file.size });
        upload.mutate(
          {
            file,
            ...(description.trim() ? { description: description.trim() } : {}),
            onProgress: setProgress,
            signal: abort.current.signal,
          },
          {
            onSuccess: (r) => {
              setFile(null);
              onFileChange?.(null);
              setDescription('');
              setProgress(null);
              onUploaded(r);
            },
          },
        );
      }}
    >
      <Field
        label="Bundle"
        hint="A .zip, .tar or .tar.gz with an appspec.yml at its root. Its type is read from the file itself."
        error={fieldError(upload.error, 'body')}
      >
        {(p) => (
          <input
            {...p}
            type="file"
            accept=".zip,.tar,.tgz,.gz,application/zip,application/x-tar,application/gzip"
            onChange={(e) => {
              const f = e.target.files?.[0] ?? null;
              setFile(f);
              onFileChange?.(f);
            }}
          />
        )}
      </Field>
      <SampleAppSpec />
      <TextField
        label="Description (optional)"
        hint="Say what this revision is (a version, a commit): the deploy form shows it."
        error={fieldError(upload.error, 'description')}
        maxLength={256}
        value={description}
        onChange={setDescription}
      />
      {upload.isPending && progress ? (
        <div>
          <progress className="upload-progress" max={100} value={pct} aria-label="Upload progress" />
          <div className="small muted" aria-live="polite">
            Uploading… {pct}% ({formatBytes(progress.loaded)} of {formatBytes(progress.total)})
          </div>
        </div>
      ) : null}
      {aborted ? (
        <p className="muted" role="status">
          Upload cancelled.
        </p>
      ) : (
        <FormError error={upload.error} shownFields={['body', 'description']} />
      )}
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={!file || upload.isPending}>
          {upload.isPending ? 'Uploading…' : 'Upload revision'}
        </button>
        {upload.isPending ? (
          <button type="button" className="btn" onClick={() => abort.current?.abort()}>
            Cancel upload
          </button>
        ) : null}
        {onCancel ? (
          <button
            type="button"
            className="btn"
            onClick={() => {
              abort.current?.abort();
              onCancel();
            }}
          >
            Cancel
          </button>
        ) : null}
        {file ? <span className="small muted">{`${file.name} · ${formatBytes(file.size)}`}</span> : null}
      </div>
    </form>
  );
}

/** A minimal appspec.yml to start from, folded under the bundle field (docs/appspec.md has the whole story). */
export const SAMPLE_APPSPEC = `version: 0.0
os: linux
files:
  - source: app
    destination: /opt/myapp
hooks:
  ApplicationStop:
    - location: scripts/stop.sh
      timeout: 60
  AfterInstall:
    - location: scripts/install-deps.sh
      timeout: 300
      runas: root
  ApplicationStart:
    - location: scripts/start.sh
      timeout: 60
  ValidateService:
    - location: scripts/check-health.sh
      timeout: 120
`;

function SampleAppSpec() {
  return (
    <details className="small">
      <summary>A sample appspec.yml</summary>
      <p className="muted">
        At the bundle&apos;s root, beside the files it names; each script must be in the bundle and executable.
      </p>
      <pre className="sample-appspec">{SAMPLE_APPSPEC}</pre>
    </details>
  );
}
