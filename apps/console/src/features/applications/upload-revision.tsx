// Upload a bundle (zip, tar, tgz) as a new revision, with a progress bar and a cancel button.
import { BundleType, type RevisionInfo } from '@drover/contracts';
import { useRef, useState } from 'react';
import { bundleTypeOf, useUploadRevision } from '../../api/revisions/mutations';
import type { UploadProgress } from '../../api/upload';
import { Field, fieldError, FormError, TextField } from '../../components/form';
import { formatBytes } from '../../lib/format';

export function UploadRevisionForm({ app, onUploaded }: { app: string; onUploaded: (r: RevisionInfo) => void }) {
  const upload = useUploadRevision(app);
  const [file, setFile] = useState<File | null>(null);
  const [bundleType, setBundleType] = useState<BundleType>('tgz');
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
        abort.current = new AbortController();
        setProgress({ loaded: 0, total: file.size });
        upload.mutate(
          {
            file,
            bundleType,
            ...(description.trim() ? { description: description.trim() } : {}),
            onProgress: setProgress,
            signal: abort.current.signal,
          },
          {
            onSuccess: (r) => {
              setFile(null);
              setDescription('');
              setProgress(null);
              onUploaded(r);
            },
          },
        );
      }}
    >
      <Field label="Bundle" hint="A .zip, .tar or .tar.gz with an appspec.yml at its root.">
        {(p) => (
          <input
            {...p}
            type="file"
            accept=".zip,.tar,.tgz,.gz,application/zip,application/x-tar,application/gzip"
            onChange={(e) => {
              const f = e.target.files?.[0] ?? null;
              setFile(f);
              const t = f ? bundleTypeOf(f.name) : null;
              if (t) setBundleType(t);
            }}
          />
        )}
      </Field>
      <div className="row">
        <Field label="Bundle type" error={fieldError(upload.error, 'bundleType')}>
          {(p) => (
            <select {...p} value={bundleType} onChange={(e) => setBundleType(BundleType.parse(e.target.value))}>
              <option value="tgz">tgz (tar.gz)</option>
              <option value="tar">tar</option>
              <option value="zip">zip</option>
            </select>
          )}
        </Field>
        <div style={{ flex: 1 }}>
          <TextField
            label="Description (optional)"
            error={fieldError(upload.error, 'description')}
            maxLength={256}
            value={description}
            onChange={setDescription}
          />
        </div>
      </div>
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
        <FormError error={upload.error} shownFields={['bundleType', 'description']} />
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
        {file ? <span className="small muted">{`${file.name} · ${formatBytes(file.size)}`}</span> : null}
      </div>
    </form>
  );
}
