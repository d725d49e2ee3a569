// Creating a load balancer (admin): an HAProxy Runtime API socket or a signed webhook, the backends deployments may
// drive, how a host finds its server, and the drain and health timeouts. A webhook's secret comes back once and is
// shown here, with a copy button, before the dialog closes.
import type { CreateLoadBalancerRequest, LoadBalancerProvider, ServerMapping } from '@drover/contracts';
import { useState } from 'react';
import type { z } from 'zod';
import { useCreateLoadBalancer } from '../../api/load-balancers/mutations';
import { Dialog } from '../../components/dialog';
import { Field, fieldError, FormActions, RadioChoices, TextField } from '../../components/form';
import { SecretOnce } from '../settings/secret-once';

export const WEBHOOK_SECRET_WARNING =
  'Copy this webhook secret now and give it to your receiver: it will not be shown again. Drover signs every request to the webhook with it.';

/** "web, api  web" → ["web", "api", "web"]: commas or spaces between names. */
export function parseBackends(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((b) => b.trim())
    .filter((b) => b !== '');
}

interface FormState {
  name: string;
  provider: LoadBalancerProvider;
  socket: string;
  url: string;
  backends: string;
  serverMapping: ServerMapping;
  drainTimeoutSeconds: string;
  healthTimeoutSeconds: string;
  killSessionsOnDrainTimeout: boolean;
}

const EMPTY: FormState = {
  name: '',
  provider: 'haproxy',
  socket: '',
  url: '',
  backends: '',
  serverMapping: 'instanceName',
  drainTimeoutSeconds: '30',
  healthTimeoutSeconds: '60',
  killSessionsOnDrainTimeout: false,
};

export function toCreateRequest(f: FormState): z.input<typeof CreateLoadBalancerRequest> {
  return {
    loadBalancerName: f.name.trim(),
    provider: f.provider,
    ...(f.provider === 'haproxy' ? { haproxy: { socket: f.socket.trim() } } : { webhook: { url: f.url.trim() } }),
    backends: parseBackends(f.backends),
    serverMapping: f.serverMapping,
    drainTimeoutSeconds: Number(f.drainTimeoutSeconds),
    healthTimeoutSeconds: Number(f.healthTimeoutSeconds),
    killSessionsOnDrainTimeout: f.killSessionsOnDrainTimeout,
  };
}

const SHOWN_FIELDS = [
  'loadBalancerName',
  'provider',
  'haproxy',
  'haproxy.socket',
  'webhook',
  'webhook.url',
  'backends',
  'serverMapping',
  'drainTimeoutSeconds',
  'healthTimeoutSeconds',
  'killSessionsOnDrainTimeout',
];

export function CreateLoadBalancerDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  /** After creation (and, for a webhook, after its secret was shown). */
  onCreated: (name: string) => void;
}) {
  const create = useCreateLoadBalancer();
  const [form, setForm] = useState<FormState>(EMPTY);
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);
  const set =
    <K extends keyof FormState>(key: K) =>
    (value: FormState[K]) =>
      setForm((f) => ({ ...f, [key]: value }));
  const err = (field: string) => fieldError(create.error, field);
  const close = () => {
    create.reset();
    setForm(EMPTY);
    setSecret(null);
    onClose();
  };

  if (secret) {
    return (
      <Dialog open={open} title="Load balancer created" onClose={() => undefined} wide>
        <p>
          <strong>{secret.name}</strong> is ready. Deployment groups can name it in their load balancer settings.
        </p>
        <SecretOnce
          secret={secret.value}
          what="webhook secret"
          warning={WEBHOOK_SECRET_WARNING}
          onDone={() => {
            const name = secret.name;
            close();
            onCreated(name);
          }}
        />
      </Dialog>
    );
  }

  const filled =
    form.name.trim() !== '' &&
    parseBackends(form.backends).length > 0 &&
    (form.provider === 'haproxy' ? form.socket.trim() !== '' : form.url.trim() !== '');

  return (
    <Dialog open={open} title="Create load balancer" onClose={close} wide>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(toCreateRequest(form), {
            onSuccess: (lb) => {
              if (lb.webhookSecret) setSecret({ name: lb.loadBalancerName, value: lb.webhookSecret });
              else {
                close();
                onCreated(lb.loadBalancerName);
              }
            },
          });
        }}
      >
        <TextField
          label="Name"
          hint="How deployment groups name it: letters, digits and . _ + = , @ -"
          error={err('loadBalancerName')}
          required
          maxLength={100}
          value={form.name}
          onChange={set('name')}
          focusFirst
        />
        <fieldset>
          <legend>Provider</legend>
          <RadioChoices
            name="provider"
            value={form.provider}
            onChange={set('provider')}
            options={[
              { value: 'haproxy', label: 'HAProxy, through its Runtime API socket' },
              { value: 'webhook', label: 'Webhook: signed HTTP requests to a receiver of yours (any other balancer)' },
            ]}
          />
        </fieldset>
        {form.provider === 'haproxy' ? (
          <TextField
            label="Runtime API socket"
            hint="unix:/run/haproxy/admin.sock or tcp:127.0.0.1:9999; the socket needs level admin"
            error={err('haproxy.socket') ?? err('haproxy')}
            required
            maxLength={1024}
            value={form.socket}
            onChange={set('socket')}
            placeholder="unix:/run/haproxy/admin.sock"
          />
        ) : (
          <TextField
            label="Webhook URL"
            hint="http or https; Drover signs each request (Standard Webhooks) with a secret shown once after creation"
            error={err('webhook.url') ?? err('webhook')}
            required
            maxLength={2048}
            value={form.url}
            onChange={set('url')}
            placeholder="https://lb-control.internal/drover"
          />
        )}
        <TextField
          label="Backends"
          hint={
            form.provider === 'haproxy'
              ? 'HAProxy backend names deployments may drive, separated by commas'
              : 'Pool names your receiver knows, separated by commas'
          }
          error={err('backends')}
          required
          value={form.backends}
          onChange={set('backends')}
          placeholder="web"
        />
        <fieldset>
          <legend>How a host finds its server</legend>
          <RadioChoices
            name="serverMapping"
            value={form.serverMapping}
            onChange={set('serverMapping')}
            options={[
              { value: 'instanceName', label: 'A server named like the instance (web-1 → server web-1)' },
              { value: 'address', label: "The server whose address is the instance's traffic address" },
            ]}
          />
          {err('serverMapping') ? <div className="field-error">{err('serverMapping')}</div> : null}
        </fieldset>
        <div className="row">
          <Field
            label="Drain timeout (seconds)"
            hint="BlockTraffic waits this long for open sessions"
            error={err('drainTimeoutSeconds')}
          >
            {(p) => (
              <input
                {...p}
                type="number"
                min={0}
                max={3600}
                required
                value={form.drainTimeoutSeconds}
                onChange={(e) => set('drainTimeoutSeconds')(e.target.value)}
                style={{ width: 120 }}
              />
            )}
          </Field>
          <Field
            label="Health timeout (seconds)"
            hint="AllowTraffic waits this long for the health check"
            error={err('healthTimeoutSeconds')}
          >
            {(p) => (
              <input
                {...p}
                type="number"
                min={1}
                max={3600}
                required
                value={form.healthTimeoutSeconds}
                onChange={(e) => set('healthTimeoutSeconds')(e.target.value)}
                style={{ width: 120 }}
              />
            )}
          </Field>
        </div>
        <label className="choice">
          <input
            type="checkbox"
            checked={form.killSessionsOnDrainTimeout}
            onChange={(e) => set('killSessionsOnDrainTimeout')(e.target.checked)}
          />
          <span>At the drain timeout, cut the sessions still open and carry on (instead of failing BlockTraffic)</span>
        </label>
        <FormActions
          error={create.error}
          shownFields={SHOWN_FIELDS}
          onCancel={close}
          pending={create.isPending}
          pendingLabel="Creating…"
          disabled={!filled}
        >
          Create load balancer
        </FormActions>
      </form>
    </Dialog>
  );
}
