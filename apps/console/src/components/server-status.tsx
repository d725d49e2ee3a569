// A load balancer's word for a server (HAProxy's UP, DOWN, DRAIN, MAINT, "UP 1/3"…) and its health check, each as
// the word itself with an icon and a colour: the word carries the meaning, the icon and colour only help scanning.
import type { BalancerServer } from '@drover/contracts';

export type ServerTone = 'up' | 'down' | 'drain' | 'maint' | 'changing' | 'other';

/** The tone of a balancer's status word. "UP 1/3" is going down and "DOWN 1/2" coming up: both are changing. */
export function serverTone(status: string): ServerTone {
  const s = status.trim().toUpperCase();
  if (/^(UP|DOWN) \d+\/\d+/.test(s)) return 'changing';
  if (s === 'UP' || s === 'OPEN' || s === 'READY') return 'up';
  if (s.startsWith('DOWN')) return 'down';
  if (s.startsWith('DRAIN') || s.startsWith('NOLB')) return 'drain';
  if (s.startsWith('MAINT')) return 'maint';
  return 'other';
}

const ICON: Record<ServerTone, string> = {
  up: '▲',
  down: '▼',
  drain: '◐',
  maint: '■',
  changing: '◆',
  other: '●',
};

export function ServerStatus({ status }: { status: string }) {
  const tone = serverTone(status);
  return (
    <span className={`lb-status lb-${tone}`}>
      <span aria-hidden="true" className="lb-icon">
        {ICON[tone]}
      </span>
      {status}
    </span>
  );
}

const HEALTH_TONE: Record<BalancerServer['health'], ServerTone> = { up: 'up', down: 'down', unknown: 'other' };

export function ServerHealth({ health, check }: { health: BalancerServer['health']; check?: string | null }) {
  const tone = HEALTH_TONE[health];
  return (
    <span className={`lb-status lb-${tone}`} title={check ? `last check: ${check}` : undefined}>
      <span aria-hidden="true" className="lb-icon">
        {ICON[tone]}
      </span>
      {health}
      {check ? <span className="muted"> ({check})</span> : null}
    </span>
  );
}

/** One sentence for a server: what a title or a screen reader gets in place of the compact cell. */
export function describeServer(s: BalancerServer, balancer: string): string {
  return (
    `${balancer} / ${s.backend} / ${s.server}: ${s.status}, health ${s.health}` +
    `${s.checkStatus ? ` (${s.checkStatus})` : ''}, ${s.sessions} session${s.sessions === 1 ? '' : 's'}` +
    `${s.queued > 0 ? `, ${s.queued} queued` : ''}, weight ${s.weight}` +
    `${s.adminState !== 'ready' ? `, admin state ${s.adminState}` : ''}`
  );
}
