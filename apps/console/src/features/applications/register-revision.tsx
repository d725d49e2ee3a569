// Register a revision from a Git commit or an S3 object (docs/revision-sources.md). The server does the work as a job,
// which the application page's registrations list follows; this form only starts it. Secrets are named, never typed
// here: an admin creates them and grants them to the application.
import { useState } from 'react';
import { useRegisterRevision } from '../../api/revision-sources/mutations';
import { FormActions, RadioChoices, TextField, fieldError } from '../../components/form';

type Source = 'git' | 's3';
const SHA = /^[0-9a-f]{40}$/;

export function RegisterRevisionForm({
  app,
  onCancel,
  onStarted,
}: {
  app: string;
  onCancel: () => void;
  onStarted: () => void;
}) {
  const register = useRegisterRevision(app);
  const [source, setSource] = useState<Source>('git');
  const [url, setUrl] = useState('');
  const [commit, setCommit] = useState('');
  const [path, setPath] = useState('');
  const [object, setObject] = useState('');
  const [eTag, setETag] = useState('');
  const [versionId, setVersionId] = useState('');
  const [secret, setSecret] = useState('');
  const [description, setDescription] = useState('');
  const e = (field: string) => fieldError(register.error, field);
  const opt = (v: string) => (v.trim() === '' ? undefined : v.trim());

  const submit = () => {
    if (source === 'git') {
      const c = commit.trim();
      register.mutate(
        {
          source: 'git',
          request: {
            repositoryUrl: url.trim(),
            ...(SHA.test(c) ? { commit: c } : { ref: c }),
            path: opt(path),
            secretName: opt(secret),
            description: opt(description),
          },
        },
        { onSuccess: onStarted },
      );
      return;
    }
    const o = object.trim().replace(/^s3:\/\//, '');
    const slash = o.indexOf('/');
    register.mutate(
      {
        source: 's3',
        request: {
          bucket: slash > 0 ? o.slice(0, slash) : o,
          key: slash > 0 ? o.slice(slash + 1) : '',
          eTag: opt(eTag),
          versionId: opt(versionId),
          secretName: opt(secret),
          description: opt(description),
        },
      },
      { onSuccess: onStarted },
    );
  };

  return (
    <form
      className="stack"
      onSubmit={(ev) => {
        ev.preventDefault();
        submit();
      }}
    >
      <fieldset>
        <legend>Source</legend>
        <RadioChoices
          name="revision-source"
          value={source}
          onChange={setSource}
          options={[
            { value: 'git', label: 'A Git commit' },
            { value: 's3', label: 'An S3-compatible object' },
          ]}
        />
      </fieldset>
      {source === 'git' ? (
        <>
          <TextField
            label="Repository URL"
            value={url}
            onChange={setUrl}
            required
            focusFirst
            placeholder="https://github.com/acme/shop.git"
            error={e('repositoryUrl')}
          />
          <TextField
            label="Commit, branch or tag"
            hint="A full SHA, or a branch or tag the server resolves to its commit now."
            value={commit}
            onChange={setCommit}
            required
            placeholder="main"
            error={e('commit') ?? e('ref')}
          />
          <TextField label="Subdirectory (optional)" value={path} onChange={setPath} error={e('path')} />
        </>
      ) : (
        <>
          <TextField
            label="Bucket/key"
            value={object}
            onChange={setObject}
            required
            focusFirst
            placeholder="releases/shop/1.4.2.tgz"
            error={e('bucket') ?? e('key')}
          />
          <TextField
            label="ETag (optional)"
            hint="The object must still have it: a changed object is refused."
            value={eTag}
            onChange={setETag}
            error={e('eTag')}
          />
          <TextField label="Version id (optional)" value={versionId} onChange={setVersionId} error={e('versionId')} />
        </>
      )}
      <TextField
        label="Source secret (optional)"
        hint="The name of a secret an admin granted to this application."
        value={secret}
        onChange={setSecret}
        error={e('secretName')}
      />
      <TextField label="Description (optional)" value={description} onChange={setDescription} maxLength={256} />
      <FormActions
        error={register.error}
        shownFields={
          source === 'git'
            ? ['repositoryUrl', 'commit', 'ref', 'path', 'secretName']
            : ['bucket', 'key', 'eTag', 'versionId', 'secretName']
        }
        onCancel={onCancel}
        pending={register.isPending}
        pendingLabel="Starting…"
      >
        Register
      </FormActions>
    </form>
  );
}
