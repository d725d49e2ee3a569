// Reading HAProxy 2.6's `show stat` CSV and `show servers state` answers, and turning one server's rows into the
// provider's ServerView. Pure functions: the socket conversation lives in haproxy-provider.ts.
import { TrafficError, type ServerView } from '../provider';

/** One `show stat` line, by column name (positions move between versions; names do not). Empty fields are ''. */
export type StatRow = Readonly<Record<string, string>>;

/** One `show servers state` line, by column name. */
export type ServerStateRow = Readonly<Record<string, string>>;

/** Parses a `show stat` answer: a `# pxname,svname,…` header, then one CSV line per proxy/server. HAProxy writes no
 * quoting; fields never hold commas. An answer without the header (e.g. "No such proxy.") is a BAD_ANSWER. */
export function parseStatCsv(text: string): StatRow[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const headerAt = lines.findIndex((l) => l.startsWith('# '));
  if (headerAt < 0) throw badAnswer('show stat', text);
  const names = (lines[headerAt] as string).slice(2).split(',');
  return lines
    .slice(headerAt + 1)
    .filter((l) => l.trim() !== '')
    .map((line) => zip(names, line.split(',')));
}

/** Parses a `show servers state` answer: a format version line ("1"), a `# be_id be_name …` header, then
 * space-separated lines. */
export function parseServersState(text: string): ServerStateRow[] {
  const lines = text.split('\n').map((l) => l.trim());
  const headerAt = lines.findIndex((l) => l.startsWith('# '));
  if (headerAt < 0 || lines[0] !== '1') throw badAnswer('show servers state', text);
  const names = (lines[headerAt] as string).slice(2).split(/\s+/);
  return lines
    .slice(headerAt + 1)
    .filter((l) => l !== '')
    .map((line) => zip(names, line.split(/\s+/)));
}

/** Server rows only (not the FRONTEND/BACKEND aggregate lines, not listeners). `type` 2 is a server. */
export function serverRows(rows: StatRow[]): StatRow[] {
  return rows.filter(
    (r) => r.type === '2' || (r.type === undefined && !['FRONTEND', 'BACKEND'].includes(r.svname ?? '')),
  );
}

/** `check_status` without HAProxy's "* " prefix, which only says a check is running now. */
export function checkStatusOf(row: StatRow): string | null {
  const raw = (row.check_status ?? '').replace(/^\*\s*/, '').trim();
  return raw === '' ? null : raw;
}

const HEALTHY_CHECKS = new Set(['L4OK', 'L6OK', 'L7OK', 'L7OKC']);
const FAILED_CHECKS = new Set(['L4CON', 'L4TOUT', 'L6TOUT', 'L6RSP', 'L7STS', 'L7TOUT', 'L7RSP', 'SOCKERR']);

/** Whether a check result says the server answered correctly. */
export function isHealthyCheck(checkStatus: string | null): boolean {
  return checkStatus !== null && HEALTHY_CHECKS.has(checkStatus);
}

/** Health from the last check result; a status of DOWN wins (HAProxy also marks a server down by hand, or while a
 * rise is in progress after a failure, and then its last result may still read OK). */
export function healthOf(row: StatRow): ServerView['health'] {
  const status = (row.status ?? '').trim();
  const check = checkStatusOf(row);
  if (status.startsWith('DOWN')) return 'down';
  if (check === null || status === 'no check') return 'unknown';
  if (HEALTHY_CHECKS.has(check)) return 'up';
  if (FAILED_CHECKS.has(check) || check.startsWith('L6')) return 'down';
  return 'unknown'; // UNK, INI: no result yet
}

/** Whether HAProxy runs health checks for this server at all: the check counters are blank when it does not
 * (true in every admin state, unlike `check_status`, which is blank in MAINT too). */
export function hasHealthCheck(row: StatRow): boolean {
  return (row.chkfail ?? '') !== '' || (row.check_rise ?? '') !== '';
}

// srv_admin_state drain bits (management guide, `show servers state`): forced and inherited drain.
const ADMIN_DRAIN_BITS = 0x08 | 0x10;

/** Admin state. The status word says MAINT or DRAIN whenever that state is in effect, except for a drained server
 * failing its checks, which shows DOWN: the drain bits of `srv_admin_state` tell that case. The maintenance bits are
 * not used: measured on 2.6.12, a server `disabled` in the config keeps bit 0x04 after `set server … state ready`
 * while it is UP and serving. */
export function adminStateOf(row: StatRow, state?: ServerStateRow): ServerView['adminState'] {
  const status = (row.status ?? '').trim();
  if (status.startsWith('MAINT')) return 'maint';
  if (status.startsWith('DRAIN')) return 'drain';
  const bits = Number(state?.srv_admin_state);
  if (Number.isInteger(bits) && bits & ADMIN_DRAIN_BITS) return 'drain';
  return 'ready';
}

/** host:port from the state row (srv_addr, srv_port), else the CSV `addr` column. */
export function addressOf(row: StatRow, state?: ServerStateRow): string | null {
  if (state?.srv_addr && state.srv_port && state.srv_addr !== '-') {
    const host = state.srv_addr.includes(':') ? `[${state.srv_addr}]` : state.srv_addr;
    return `${host}:${state.srv_port}`;
  }
  const addr = (row.addr ?? '').trim();
  return addr === '' ? null : addr;
}

export function toServerView(row: StatRow, state?: ServerStateRow): ServerView {
  return {
    backend: row.pxname ?? '',
    server: row.svname ?? '',
    status: (row.status ?? '').trim(),
    adminState: adminStateOf(row, state),
    health: healthOf(row),
    checkStatus: checkStatusOf(row),
    sessions: intOf(row.scur),
    queued: intOf(row.qcur),
    weight: intOf(row.weight),
    address: addressOf(row, state),
  };
}

/** HAProxy's own account of the last check, for messages: "L7STS 503: Layer7 wrong status (Service Unavailable)". */
export function describeCheck(row: StatRow): string {
  const check = checkStatusOf(row);
  if (check === null) return 'no check result';
  const code = (row.check_code ?? '').trim();
  const desc = (row.check_desc ?? '').trim();
  const info = (row.last_chk ?? '').trim();
  let text = code !== '' && code !== '0' ? `${check} ${code}` : check;
  if (desc !== '') text += `: ${desc}`;
  if (info !== '' && info !== desc) text += ` (${info})`;
  return text;
}

/** One short line per server row, for logs: "web/a DRAIN scur=1 qcur=0 check=L7OK weight=1". */
export function summariseRow(row: StatRow): string {
  const check = checkStatusOf(row);
  return (
    `${row.pxname}/${row.svname} ${(row.status ?? '').trim() || '?'} scur=${row.scur || 0} qcur=${row.qcur || 0}` +
    `${check ? ` check=${check}` : ''} weight=${row.weight || 0}`
  );
}

function zip(names: string[], values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  names.forEach((name, i) => {
    if (name !== '') out[name] = values[i] ?? '';
  });
  return out;
}

function intOf(value: string | undefined): number {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}

function badAnswer(command: string, text: string): TrafficError {
  const shown = text.trim().split('\n').slice(0, 3).join(' / ').slice(0, 300);
  return new TrafficError(
    'BAD_ANSWER',
    `HAProxy's answer to '${command}' is not what it should be: ${shown || '(empty)'}`,
  );
}
