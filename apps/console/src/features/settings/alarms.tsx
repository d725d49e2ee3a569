// Settings → Alarms: the alarm definitions deployment groups name (a Prometheus query, an Alertmanager alert matcher,
// an HTTP probe). Everyone sees them with their last evaluation and the groups using them; deployers evaluate one now
// and see the result at once; admins create, edit and delete them. Prometheus credentials can be set or replaced
// here but are never shown back.
import type {
  AlarmComparison,
  AlarmEvaluation,
  AlarmInfo,
  AlarmKind,
  AlarmState,
  CreateAlarmRequest,
  ExpectStatus,
  LabelMatcher,
  UpdateAlarmRequest,
} from '@drover/contracts';
import { ALARM_COMPARISONS } from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import type { z } from 'zod';
import { useCan } from '../../api/auth/permissions';
import { useCreateAlarm, useDeleteAlarm, useEvaluateAlarm, useUpdateAlarm } from '../../api/alarms/mutations';
import { alarmQueries } from '../../api/alarms/queries';
import { errorMessage } from '../../api/errors';
import { DataTable } from '../../components/data-table';
import { ConfirmDialog, Dialog } from '../../components/dialog';
import { Field, fieldError, FormActions, RadioChoices, TextField } from '../../components/form';
import { RelativeTime } from '../../components/relative-time';
import { EmptyState, QueryBoundary } from '../../components/states';
import { pagePaths } from '../../lib/page-paths';

export const KIND_TEXT: Record<AlarmKind, string> = {
  prometheus: 'Prometheus query',
  alertmanager: 'Alertmanager alert',
  http_probe: 'HTTP probe',
};

const expectText = (e: ExpectStatus) =>
  typeof e === 'number' ? String(e) : Array.isArray(e) ? e.join(', ') : `${e.min}–${e.max}`;

/** What the alarm checks, in one line. */
export function alarmSummary(a: AlarmInfo): string {
  if (a.prometheus) {
    const p = a.prometheus;
    return `${p.query} ${p.comparison} ${p.threshold}${p.forSeconds ? ` for ${p.forSeconds} s` : ''}`;
  }
  if (a.alertmanager) {
    const m = a.alertmanager.matchers.map((x) => `, ${x.name}${x.op}"${x.value}"`).join('');
    return `{alertname="${a.alertmanager.alertname}"${m}} firing`;
  }
  if (a.httpProbe) return `GET ${a.httpProbe.url} → ${expectText(a.httpProbe.expectStatus)}`;
  return KIND_TEXT[a.kind];
}

export function StateBadge({ state }: { state: AlarmState | null }) {
  if (state === null) return <span className="muted">not evaluated</span>;
  const tone = state === 'OK' ? 'badge-succeeded' : state === 'ALARM' ? 'badge-failed' : 'badge-stopped';
  return <span className={`badge ${tone}`}>{state}</span>;
}

function UsedBy({ alarm }: { alarm: AlarmInfo }) {
  if (alarm.usedBy.length === 0) return <span className="muted">no group</span>;
  return (
    <>
      {alarm.usedBy.map((u, i) => (
        <span key={`${u.applicationName}/${u.deploymentGroupName}`}>
          {i > 0 ? ', ' : ''}
          <Link to={pagePaths.group(u.applicationName, u.deploymentGroupName)}>
            {u.applicationName} / {u.deploymentGroupName}
          </Link>
        </span>
      ))}
    </>
  );
}

/** The result of an "Evaluate now", as it came back. */
function EvaluationResult({ result }: { result: AlarmEvaluation }) {
  return (
    <div className="stack" role="status" aria-label={`Evaluation of ${result.alarmName}`}>
      <p>
        <StateBadge state={result.state} />{' '}
        {result.state === 'OK' && result.conditionMet ? (
          <span>the condition holds but has not held long enough yet</span>
        ) : null}
      </p>
      <p className="mono small">{result.detail}</p>
      <p className="muted small">
        Evaluated <RelativeTime value={result.observedAt} />
      </p>
    </div>
  );
}

export function Alarms() {
  const list = useQuery(alarmQueries.list());
  const isAdmin = useCan('admin');
  const canEvaluate = useCan('deployer');
  const [editing, setEditing] = useState<AlarmInfo | 'new' | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [evaluated, setEvaluated] = useState<AlarmEvaluation | null>(null);
  const evaluate = useEvaluateAlarm();
  const remove = useDeleteAlarm();
  return (
    <section className="stack">
      <div className="row">
        <p className="muted">
          Checks that deployment groups name in their alarm settings: a Prometheus query, firing alerts from
          Alertmanager, or an HTTP probe.
        </p>
        {isAdmin ? (
          <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
            Create alarm
          </button>
        ) : null}
      </div>
      {evaluate.error ? (
        <p className="form-error" role="alert">
          {errorMessage(evaluate.error)}
        </p>
      ) : null}
      {evaluated ? <EvaluationResult result={evaluated} /> : null}
      <QueryBoundary query={list} what="alarms">
        {(items) => (
          <DataTable
            rows={items}
            rowKey={(a) => a.alarmId}
            label="Alarms"
            empty={
              <EmptyState title="No alarms yet.">
                {isAdmin ? (
                  <p>Create one, then name it in a deployment group's alarm settings.</p>
                ) : (
                  <p>Alarms are created by admins.</p>
                )}
              </EmptyState>
            }
            columns={[
              { header: 'Name', cell: (a) => a.alarmName },
              { header: 'Kind', cell: (a) => KIND_TEXT[a.kind] },
              { header: 'Checks', className: 'mono small', cell: alarmSummary },
              {
                header: 'Last state',
                cell: (a) => (
                  <span title={a.lastDetail ?? undefined}>
                    <StateBadge state={a.lastState} />
                    {a.lastEvaluatedAt ? (
                      <>
                        {' '}
                        <RelativeTime value={a.lastEvaluatedAt} />
                      </>
                    ) : null}
                  </span>
                ),
              },
              { header: 'Used by', cell: (a) => <UsedBy alarm={a} /> },
              {
                header: 'Actions',
                cell: (a) => (
                  <span className="row">
                    {canEvaluate ? (
                      <button
                        type="button"
                        className="btn btn-small"
                        aria-label={`Evaluate ${a.alarmName} now`}
                        disabled={evaluate.isPending && evaluate.variables === a.alarmName}
                        onClick={() => evaluate.mutate(a.alarmName, { onSuccess: setEvaluated })}
                      >
                        {evaluate.isPending && evaluate.variables === a.alarmName ? 'Evaluating…' : 'Evaluate now'}
                      </button>
                    ) : null}
                    {isAdmin ? (
                      <>
                        <button
                          type="button"
                          className="btn btn-small"
                          aria-label={`Edit ${a.alarmName}`}
                          onClick={() => setEditing(a)}
                        >
                          Edit
                        </button>
                        <button
                          type="button"
                          className="btn btn-small btn-danger"
                          aria-label={`Delete ${a.alarmName}`}
                          onClick={() => setDeleting(a.alarmName)}
                        >
                          Delete
                        </button>
                      </>
                    ) : null}
                  </span>
                ),
              },
            ]}
          />
        )}
      </QueryBoundary>
      {editing ? <AlarmDialog alarm={editing === 'new' ? null : editing} onClose={() => setEditing(null)} /> : null}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete alarm ${deleting ?? ''}?`}
        confirmLabel="Delete alarm"
        tone="danger"
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting, {
            onSuccess: () => setDeleting(null),
          })
        }
        onCancel={() => {
          remove.reset();
          setDeleting(null);
        }}
      >
        <p>Deployment groups that name it must drop it first.</p>
      </ConfirmDialog>
    </section>
  );
}

interface FormState {
  name: string;
  kind: AlarmKind;
  url: string;
  query: string;
  comparison: AlarmComparison;
  threshold: string;
  forSeconds: string;
  timeoutSeconds: string;
  authType: 'keep' | 'none' | 'basic' | 'bearer';
  username: string;
  secret: string;
  alertname: string;
  matchers: string;
  probeUrl: string;
  expectStatus: string;
  bodyContains: string;
}

/** `service=shop, severity=~critical|page` → matchers (commas inside a regex need no escaping after `=~`). */
export function parseMatchers(text: string): LabelMatcher[] {
  return text
    .split(/\n|,\s*(?=[A-Za-z_][A-Za-z0-9_]*\s*(?:=~|!~|!=|=))/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?$/.exec(s);
      return m ? { name: m[1]!, op: m[2] as LabelMatcher['op'], value: m[3]! } : { name: s, op: '=', value: '' };
    });
}

/** `200`, `200, 204` or `200-299`. */
export function parseExpectStatus(text: string): ExpectStatus {
  const t = text.trim();
  const range = /^(\d+)\s*[-–]\s*(\d+)$/.exec(t);
  if (range) return { min: Number(range[1]), max: Number(range[2]) };
  const list = t
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
  return list.length === 1 ? list[0]! : list;
}

function initial(a: AlarmInfo | null): FormState {
  const p = a?.prometheus;
  return {
    name: a?.alarmName ?? '',
    kind: a?.kind ?? 'prometheus',
    url: p?.url ?? '',
    query: p?.query ?? '',
    comparison: p?.comparison ?? '>',
    threshold: p ? String(p.threshold) : '',
    forSeconds: p ? String(p.forSeconds) : '0',
    timeoutSeconds: String(p?.timeoutSeconds ?? a?.httpProbe?.timeoutSeconds ?? (a?.kind === 'http_probe' ? 5 : 10)),
    authType: a ? 'keep' : 'none',
    username: p?.auth?.username ?? '',
    secret: '',
    alertname: a?.alertmanager?.alertname ?? '',
    matchers: a?.alertmanager?.matchers.map((m) => `${m.name}${m.op}${m.value}`).join(', ') ?? '',
    probeUrl: a?.httpProbe?.url ?? '',
    expectStatus: a?.httpProbe ? expectText(a.httpProbe.expectStatus).replace('–', '-') : '200',
    bodyContains: a?.httpProbe?.bodyContains ?? '',
  };
}

function authOf(f: FormState) {
  if (f.authType === 'basic') return { type: 'basic' as const, username: f.username.trim(), password: f.secret };
  if (f.authType === 'bearer') return { type: 'bearer' as const, token: f.secret };
  return undefined;
}

export function toCreateRequest(f: FormState): z.input<typeof CreateAlarmRequest> {
  const base = { alarmName: f.name.trim(), kind: f.kind };
  if (f.kind === 'prometheus') {
    const auth = authOf(f);
    return {
      ...base,
      prometheus: {
        url: f.url.trim(),
        query: f.query,
        comparison: f.comparison,
        threshold: Number(f.threshold),
        forSeconds: Number(f.forSeconds),
        timeoutSeconds: Number(f.timeoutSeconds),
        ...(auth ? { auth } : {}),
      },
    };
  }
  if (f.kind === 'alertmanager') {
    return { ...base, alertmanager: { alertname: f.alertname.trim(), matchers: parseMatchers(f.matchers) } };
  }
  return {
    ...base,
    httpProbe: {
      url: f.probeUrl.trim(),
      expectStatus: parseExpectStatus(f.expectStatus),
      timeoutSeconds: Number(f.timeoutSeconds),
      ...(f.bodyContains !== '' ? { bodyContains: f.bodyContains } : {}),
    },
  };
}

export function toUpdateRequest(f: FormState): z.input<typeof UpdateAlarmRequest> {
  const created = toCreateRequest(f);
  if (created.prometheus) {
    const { auth: _auth, ...rest } = created.prometheus;
    const auth = f.authType === 'keep' ? undefined : f.authType === 'none' ? null : authOf(f);
    return { prometheus: { ...rest, ...(auth !== undefined ? { auth } : {}) } };
  }
  if (created.alertmanager) return { alertmanager: created.alertmanager };
  const probe = created.httpProbe!;
  return { httpProbe: { ...probe, bodyContains: f.bodyContains === '' ? null : f.bodyContains } };
}

function AlarmDialog({ alarm, onClose }: { alarm: AlarmInfo | null; onClose: () => void }) {
  const create = useCreateAlarm();
  const update = useUpdateAlarm(alarm?.alarmName ?? '');
  const save = alarm ? update : create;
  const [form, setForm] = useState<FormState>(() => initial(alarm));
  const set =
    <K extends keyof FormState>(key: K) =>
    (value: FormState[K]) =>
      setForm((f) => ({ ...f, [key]: value }));
  const block = form.kind === 'http_probe' ? 'httpProbe' : form.kind;
  const err = (field: string) => fieldError(save.error, `${block}.${field}`);
  const numberField = (label: string, key: 'threshold' | 'forSeconds' | 'timeoutSeconds', hint: string) => (
    <Field label={label} hint={hint} error={err(key)}>
      {(p) => (
        <input
          {...p}
          type="number"
          step={key === 'threshold' ? 'any' : 1}
          required
          value={form[key]}
          onChange={(e) => set(key)(e.target.value)}
          style={{ width: 140 }}
        />
      )}
    </Field>
  );
  return (
    <Dialog open title={alarm ? `Edit alarm ${alarm.alarmName}` : 'Create alarm'} onClose={onClose} wide>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (alarm) update.mutate(toUpdateRequest(form), { onSuccess: onClose });
          else create.mutate(toCreateRequest(form), { onSuccess: onClose });
        }}
      >
        {alarm ? null : (
          <>
            <TextField
              label="Name"
              hint="What deployment groups' alarm settings name: letters, digits and . _ + = , @ : -"
              error={fieldError(save.error, 'alarmName')}
              required
              maxLength={255}
              value={form.name}
              onChange={set('name')}
              focusFirst
            />
            <fieldset>
              <legend>Kind</legend>
              <RadioChoices
                name="kind"
                value={form.kind}
                onChange={(k) => setForm((f) => ({ ...f, kind: k, timeoutSeconds: k === 'http_probe' ? '5' : '10' }))}
                options={[
                  { value: 'prometheus', label: 'Prometheus query: a PromQL expression compared with a threshold' },
                  { value: 'alertmanager', label: 'Alertmanager alert: in alarm while a matching alert fires' },
                  { value: 'http_probe', label: 'HTTP probe: in alarm when a URL does not answer as expected' },
                ]}
              />
            </fieldset>
          </>
        )}
        {form.kind === 'prometheus' ? (
          <>
            <TextField
              label="Prometheus URL"
              hint="The HTTP API base; Drover queries <url>/api/v1/query"
              error={err('url')}
              required
              value={form.url}
              onChange={set('url')}
              placeholder="http://prometheus:9090"
            />
            <Field
              label="Query"
              hint="PromQL giving an instant vector or a scalar; in alarm when any series meets the condition (no series: not in alarm; NaN never)"
              error={err('query')}
            >
              {(p) => (
                <textarea {...p} required rows={3} value={form.query} onChange={(e) => set('query')(e.target.value)} />
              )}
            </Field>
            <div className="row">
              <Field label="Comparison" error={err('comparison')}>
                {(p) => (
                  <select
                    {...p}
                    value={form.comparison}
                    onChange={(e) => set('comparison')(e.target.value as AlarmComparison)}
                  >
                    {ALARM_COMPARISONS.map((c) => (
                      <option key={c} value={c}>
                        {c}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              {numberField('Threshold', 'threshold', 'Any number')}
              {numberField('For (seconds)', 'forSeconds', 'How long the condition must hold; 0: at once')}
              {numberField('Timeout (seconds)', 'timeoutSeconds', 'Per query')}
            </div>
            <fieldset>
              <legend>Credentials</legend>
              <RadioChoices
                name="authType"
                value={form.authType}
                onChange={set('authType')}
                options={[
                  ...(alarm
                    ? [
                        {
                          value: 'keep' as const,
                          label: alarm.prometheus?.auth
                            ? `Keep the stored ${alarm.prometheus.auth.type} credentials`
                            : 'Keep (none stored)',
                        },
                      ]
                    : []),
                  { value: 'none' as const, label: alarm ? 'Remove credentials' : 'None' },
                  { value: 'basic' as const, label: 'Basic auth' },
                  { value: 'bearer' as const, label: 'Bearer token' },
                ]}
              />
              {form.authType === 'basic' ? (
                <TextField
                  label="User name"
                  error={err('auth.username')}
                  required
                  value={form.username}
                  onChange={set('username')}
                />
              ) : null}
              {form.authType === 'basic' || form.authType === 'bearer' ? (
                <Field
                  label={form.authType === 'basic' ? 'Password' : 'Token'}
                  hint="Stored encrypted; never shown again"
                  error={err(form.authType === 'basic' ? 'auth.password' : 'auth.token')}
                >
                  {(p) => (
                    <input
                      {...p}
                      type="password"
                      autoComplete="off"
                      required
                      value={form.secret}
                      onChange={(e) => set('secret')(e.target.value)}
                    />
                  )}
                </Field>
              ) : null}
            </fieldset>
          </>
        ) : null}
        {form.kind === 'alertmanager' ? (
          <>
            <TextField
              label="Alert name"
              hint="The alertname label of the alerts Alertmanager sends to Drover's receiver"
              error={err('alertname')}
              required
              value={form.alertname}
              onChange={set('alertname')}
              placeholder="HighErrorRate"
            />
            <TextField
              label="Label matchers"
              hint='Optional, comma-separated: service=shop, env!=dev, severity=~"critical|page"'
              error={formMatcherError(save.error)}
              value={form.matchers}
              onChange={set('matchers')}
            />
          </>
        ) : null}
        {form.kind === 'http_probe' ? (
          <>
            <TextField
              label="URL"
              hint="Drover sends a GET here (redirects are not followed)"
              error={err('url')}
              required
              value={form.probeUrl}
              onChange={set('probeUrl')}
              placeholder="http://shop.internal/healthz"
            />
            <div className="row">
              <TextField
                label="Expected status"
                hint="200, a list (200, 204) or a range (200-299)"
                error={err('expectStatus')}
                required
                value={form.expectStatus}
                onChange={set('expectStatus')}
              />
              {numberField('Timeout (seconds)', 'timeoutSeconds', 'No answer by then: in alarm')}
            </div>
            <TextField
              label="Body contains"
              hint="Optional text the answer must contain"
              error={err('bodyContains')}
              value={form.bodyContains}
              onChange={set('bodyContains')}
            />
          </>
        ) : null}
        <FormActions
          error={save.error}
          shownFields={[
            'alarmName',
            ...['url', 'query', 'comparison', 'threshold', 'forSeconds', 'timeoutSeconds', 'auth.username'].map(
              (f) => `prometheus.${f}`,
            ),
            'alertmanager.alertname',
            ...['url', 'expectStatus', 'timeoutSeconds', 'bodyContains'].map((f) => `httpProbe.${f}`),
          ]}
          onCancel={onClose}
          pending={save.isPending}
          pendingLabel={alarm ? 'Saving…' : 'Creating…'}
        >
          {alarm ? 'Save alarm' : 'Create alarm'}
        </FormActions>
      </form>
    </Dialog>
  );
}

/** A matcher's problem, whichever matcher it is (the field is one text box). */
function formMatcherError(error: unknown): string | undefined {
  for (let i = 0; i < 20; i++) {
    const e =
      fieldError(error, `alertmanager.matchers.${i}.value`) ?? fieldError(error, `alertmanager.matchers.${i}.name`);
    if (e) return `matcher ${i + 1}: ${e}`;
  }
  return undefined;
}
