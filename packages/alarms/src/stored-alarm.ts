// An alarm as stored (the alarms table): its kind's settings in `spec`, Prometheus credentials sealed apart. Reading a
// row back checks the spec against the contract, so a row written by an older Drover fails with a clear message.
import {
  AlertmanagerAlarmSpec,
  HttpProbeAlarmSpec,
  PrometheusAlarmSpec,
  PrometheusAuthInput,
  type AlarmKind,
} from '@drover/contracts';

/** The columns of an alarms row these functions read (a Prisma `Alarm` has them). */
export interface StoredAlarm {
  name: string;
  kind: AlarmKind;
  spec: unknown;
  credentialsEnc: string | null;
}

export type AlarmDefinition =
  | { name: string; kind: 'prometheus'; prometheus: PrometheusAlarmSpec; sealedAuth: string | null }
  | { name: string; kind: 'alertmanager'; alertmanager: AlertmanagerAlarmSpec }
  | { name: string; kind: 'http_probe'; httpProbe: HttpProbeAlarmSpec };

export class AlarmDefinitionError extends Error {}

export function readStoredAlarm(row: StoredAlarm): AlarmDefinition {
  const fail = (issue: string) =>
    new AlarmDefinitionError(
      `alarm ${row.name}: the stored ${row.kind} settings are not valid (${issue}); update the alarm`,
    );
  switch (row.kind) {
    case 'prometheus': {
      const p = PrometheusAlarmSpec.safeParse(row.spec);
      if (!p.success) throw fail(p.error.issues[0]?.message ?? 'invalid');
      return { name: row.name, kind: 'prometheus', prometheus: p.data, sealedAuth: row.credentialsEnc };
    }
    case 'alertmanager': {
      const p = AlertmanagerAlarmSpec.safeParse(row.spec);
      if (!p.success) throw fail(p.error.issues[0]?.message ?? 'invalid');
      return { name: row.name, kind: 'alertmanager', alertmanager: p.data };
    }
    case 'http_probe': {
      const p = HttpProbeAlarmSpec.safeParse(row.spec);
      if (!p.success) throw fail(p.error.issues[0]?.message ?? 'invalid');
      return { name: row.name, kind: 'http_probe', httpProbe: p.data };
    }
  }
}

/** Prometheus credentials as sealed: JSON of PrometheusAuthInput. */
export function authToSeal(auth: PrometheusAuthInput): string {
  return JSON.stringify(auth);
}

export function authFromOpened(plain: string): PrometheusAuthInput {
  return PrometheusAuthInput.parse(JSON.parse(plain));
}
