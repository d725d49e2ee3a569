// Parsing real HAProxy 2.6.12 answers. The fixtures are answers captured from Debian's haproxy on this machine
// (startHaproxy from test-support, with the states named above each one); they are pasted as HAProxy wrote them.
import { describe, expect, it } from 'vitest';
import { TrafficError } from '../provider';
import {
  adminStateOf,
  describeCheck,
  hasHealthCheck,
  healthOf,
  parseServersState,
  parseStatCsv,
  serverRows,
  summariseRow,
  toServerView,
  type StatRow,
} from './stat-csv';

// `show stat web 4 -1`: a UP with one slow request in flight, b drained, c just moved maint → drain (HAProxy
// counts it up until its first check: "DRAIN 1/2" with the result from before), d without checks, e `disabled` in the
// config, f refused by its port.
const SHOW_STAT_WEB = [
  '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,',
  'web,a,0,0,1,1,,1,0,0,,0,,0,0,0,0,UP,1,1,0,0,0,1,0,,1,3,1,,1,,2,1,,1,L7OK,200,1,0,0,0,0,0,0,,,,0,0,0,,,,,0,,,0,0,0,0,,,,Layer7 check passed,,2,2,3,,,,127.0.0.1:33589,,http,,,,,,,,0,1,0,,,0,,0,0,0,0,0,0,0,1,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,',
  'web,b,0,0,0,0,,0,0,0,,0,,0,0,0,0,DRAIN,1,1,0,0,0,0,0,,1,3,2,,0,,2,0,,0,L7OK,200,1,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,Layer7 check passed,,2,2,3,,,,127.0.0.1:39607,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,',
  'web,c,0,0,0,0,,0,0,0,,0,,0,0,0,0,DRAIN 1/2,1,1,0,2,1,0,0,,1,3,3,,0,,2,0,,0,L7STS,503,1,0,0,0,0,0,0,,,,0,0,0,,,,,-1,Service Unavailable,,0,0,0,0,,,,Layer7 wrong status,,2,2,2,,,,127.0.0.1:38801,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,',
  'web,d,0,0,0,0,,0,0,0,,0,,0,0,0,0,no check,1,1,0,,,1,,,1,3,4,,0,,2,0,,0,,,,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,127.0.0.1:44175,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,0,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,',
  'web,e,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT,1,1,0,0,0,1,1,,1,3,5,,0,,2,0,,0,,,,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,127.0.0.1:1,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,0,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,',
  'web,f,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1,1,0,1,1,1,1,,1,3,6,,0,,2,0,,0,L4CON,,0,0,0,0,0,0,0,,,,0,0,0,,,,,-1,Connection refused,,0,0,0,0,,,,Layer4 connection problem,,2,2,0,,,,127.0.0.1:2,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,',
  '',
  '',
].join('\n');

// The header and f's row of a `show stat web 4 -1` taken while f's check was running ("* L4CON").
const SHOW_STAT_CHECK_RUNNING = [
  '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,',
  'web,f,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1,1,0,1,1,1,1,,1,3,6,,0,,2,0,,0,* L4CON,,0,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,Layer4 connection problem,,2,2,0,,,,127.0.0.1:2,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,',
  '',
].join('\n');

// Plain `show stat` of the same HAProxy: frontend, servers and backend lines.
const SHOW_STAT_ALL = [
  '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,',
  'fe_web,FRONTEND,,,1,1,9983,1,0,0,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,1,0,1,,,,0,0,0,0,0,0,,1,1,1,,,0,0,0,0,,,,,,,,,,,,,,,,,,,,,http,,1,1,1,0,0,0,0,,,0,0,,,,,,,0,,,,,,,,,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1,1,1,76,0,0,0,',
  'web,a,0,0,1,1,,1,0,0,,0,,0,0,0,0,UP,1,1,0,0,0,1,0,,1,3,1,,1,,2,1,,1,L7OK,200,1,0,0,0,0,0,0,,,,0,0,0,,,,,0,,,0,0,0,0,,,,Layer7 check passed,,2,2,3,,,,127.0.0.1:33589,,http,,,,,,,,0,1,0,,,0,,0,0,0,0,0,0,0,1,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,',
  'web,b,0,0,0,0,,0,0,0,,0,,0,0,0,0,DRAIN,1,1,0,0,0,0,0,,1,3,2,,0,,2,0,,0,L7OK,200,1,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,Layer7 check passed,,2,2,3,,,,127.0.0.1:39607,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,',
  'web,c,0,0,0,0,,0,0,0,,0,,0,0,0,0,DRAIN 1/2,1,1,0,2,1,0,0,,1,3,3,,0,,2,0,,0,L7STS,503,1,0,0,0,0,0,0,,,,0,0,0,,,,,-1,Service Unavailable,,0,0,0,0,,,,Layer7 wrong status,,2,2,2,,,,127.0.0.1:38801,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,',
  'web,d,0,0,0,0,,0,0,0,,0,,0,0,0,0,no check,1,1,0,,,1,,,1,3,4,,0,,2,0,,0,,,,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,127.0.0.1:44175,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,0,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,',
  'web,e,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT,1,1,0,0,0,1,1,,1,3,5,,0,,2,0,,0,,,,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,127.0.0.1:1,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,0,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,',
  'web,f,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1,1,0,1,1,1,1,,1,3,6,,0,,2,0,,0,L4CON,,0,0,0,0,0,0,0,,,,0,0,0,,,,,-1,Connection refused,,0,0,0,0,,,,Layer4 connection problem,,2,2,0,,,,127.0.0.1:2,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,',
  'web,BACKEND,0,0,1,1,999,1,0,0,0,0,,0,0,0,0,UP,2,2,0,,0,1,0,,1,3,0,,1,,1,1,,1,,,,0,0,0,0,0,0,,,,0,0,0,0,0,0,0,0,,,0,0,0,0,,,,,,,,,,,,,,http,roundrobin,,,,,,,0,1,0,0,0,,,0,0,0,0,0,,,,,2,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1,36,36,2750,702,0,0,',
  '',
  '',
].join('\n');

// `show servers state web`, taken right after SHOW_STAT_WEB.
const SHOW_SERVERS_STATE_WEB = [
  '1',
  '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port',
  '3 web 1 a 127.0.0.1 2 0 1 1 1 15 3 3 6 0 0 0 - 33589 - 0 0 - - 0',
  '3 web 2 b 127.0.0.1 2 8 1 1 0 15 3 3 6 0 0 0 - 39607 - 0 0 - - 0',
  '3 web 3 c 127.0.0.1 2 8 1 1 0 17 2 2 6 0 0 0 - 38801 - 0 0 - - 0',
  '3 web 4 d 127.0.0.1 2 0 1 1 1 1 0 2 0 0 0 0 - 44175 - 0 0 - - 0',
  '3 web 5 e 127.0.0.1 0 5 1 1 1 1 0 0 14 0 0 0 - 1 - 0 0 - - 0',
  '3 web 6 f 127.0.0.1 0 0 1 1 1 8 2 0 6 0 0 0 - 2 - 0 0 - - 0',
  '',
  '',
].join('\n');

// `show stat nope 4 -1`.
const NO_SUCH_PROXY = ['No such proxy.', '', ''].join('\n');

function row(rows: StatRow[], server: string): StatRow {
  const found = rows.find((r) => r.svname === server);
  if (!found) throw new Error(`no row for ${server}`);
  return found;
}

describe('parseStatCsv', () => {
  it('reads rows by the header names, with blanks as empty strings', () => {
    const rows = parseStatCsv(SHOW_STAT_WEB);
    expect(rows.map((r) => r.svname)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    const a = row(rows, 'a');
    expect(a).toMatchObject({ pxname: 'web', status: 'UP', scur: '1', qcur: '0', check_status: 'L7OK', type: '2' });
    expect(row(rows, 'd').check_status).toBe('');
    expect(row(rows, 'f')).toMatchObject({ check_desc: 'Layer4 connection problem', last_chk: 'Connection refused' });
  });

  it('refuses an answer that is not a stat dump, quoting it', () => {
    expect(() => parseStatCsv(NO_SUCH_PROXY)).toThrow(TrafficError);
    expect(() => parseStatCsv(NO_SUCH_PROXY)).toThrow(/No such proxy\./);
  });

  it('keeps only servers out of a full dump', () => {
    const all = parseStatCsv(SHOW_STAT_ALL);
    expect(all.map((r) => r.svname)).toContain('FRONTEND');
    expect(all.map((r) => r.svname)).toContain('BACKEND');
    expect(serverRows(all).map((r) => `${r.pxname}/${r.svname}`)).toEqual([
      'web/a',
      'web/b',
      'web/c',
      'web/d',
      'web/e',
      'web/f',
    ]);
  });
});

describe('parseServersState', () => {
  it('reads the space-separated rows under the "#" header', () => {
    const states = parseServersState(SHOW_SERVERS_STATE_WEB);
    expect(states).toHaveLength(6);
    expect(states[0]).toMatchObject({ be_name: 'web', srv_name: 'a', srv_addr: '127.0.0.1', srv_admin_state: '0' });
    expect(states.find((s) => s.srv_name === 'b')?.srv_admin_state).toBe('8');
    expect(states.find((s) => s.srv_name === 'e')?.srv_admin_state).toBe('5');
  });

  it('refuses anything without the version line and header', () => {
    expect(() => parseServersState("Can't find backend.\n\n")).toThrow(/Can't find backend/);
  });
});

describe('toServerView', () => {
  const rows = parseStatCsv(SHOW_STAT_WEB);
  const states = parseServersState(SHOW_SERVERS_STATE_WEB);
  const view = (server: string) =>
    toServerView(
      row(rows, server),
      states.find((s) => s.srv_name === server),
    );
  const portOf = (server: string) => states.find((s) => s.srv_name === server)?.srv_port;

  it('maps a serving server with a request in flight', () => {
    expect(view('a')).toEqual({
      backend: 'web',
      server: 'a',
      status: 'UP',
      adminState: 'ready',
      health: 'up',
      checkStatus: 'L7OK',
      sessions: 1,
      queued: 0,
      weight: 1,
      address: `127.0.0.1:${portOf('a')}`,
    });
  });

  it('maps drain, maint and the transitional "DRAIN 1/2"', () => {
    expect(view('b')).toMatchObject({ status: 'DRAIN', adminState: 'drain', health: 'up' });
    expect(view('c')).toMatchObject({ status: 'DRAIN 1/2', adminState: 'drain', health: 'down', checkStatus: 'L7STS' });
    expect(view('e')).toMatchObject({ status: 'MAINT', adminState: 'maint', health: 'unknown', checkStatus: null });
    expect(view('e').address).toBe('127.0.0.1:1');
  });

  it('reports a server without checks as health unknown', () => {
    expect(view('d')).toMatchObject({ status: 'no check', adminState: 'ready', health: 'unknown', checkStatus: null });
  });

  it('reads a refused port as down', () => {
    expect(view('f')).toMatchObject({ status: 'DOWN', health: 'down', checkStatus: 'L4CON' });
  });

  it('strips the "* " that marks a running check', () => {
    const f = row(parseStatCsv(SHOW_STAT_CHECK_RUNNING), 'f');
    expect(f.check_status).toBe('* L4CON');
    expect(toServerView(f)).toMatchObject({ checkStatus: 'L4CON', health: 'down' });
  });

  it('falls back on the status word for the admin state and on the CSV addr column without a state row', () => {
    expect(toServerView(row(rows, 'b')).adminState).toBe('drain');
    expect(toServerView(row(rows, 'e')).adminState).toBe('maint');
    expect(toServerView(row(rows, 'a')).address).toBe(row(rows, 'a').addr);
  });

  it('takes drain from srv_admin_state when the status cannot tell (drained and DOWN)', () => {
    const down = { ...row(rows, 'f'), status: 'DOWN' };
    expect(adminStateOf(down, { srv_admin_state: '8' })).toBe('drain');
    expect(adminStateOf(down, { srv_admin_state: '0' })).toBe('ready');
    // A server `disabled` in the config keeps bit 0x04 once it is put back in and serving (measured): ready.
    expect(adminStateOf({ ...row(rows, 'a'), status: 'UP' }, { srv_admin_state: '4' })).toBe('ready');
    expect(adminStateOf(row(rows, 'e'), { srv_admin_state: '5' })).toBe('maint');
  });
});

describe('check helpers', () => {
  const rows = parseStatCsv(SHOW_STAT_WEB);

  it('knows which servers HAProxy checks, in every admin state', () => {
    expect(['a', 'b', 'c', 'd', 'e', 'f'].filter((s) => hasHealthCheck(row(rows, s)))).toEqual([
      'a',
      'b',
      'c',
      'e',
      'f',
    ]);
  });

  it("describes the last check in HAProxy's words", () => {
    expect(describeCheck(row(rows, 'c'))).toBe('L7STS 503: Layer7 wrong status (Service Unavailable)');
    expect(describeCheck(row(rows, 'f'))).toBe('L4CON: Layer4 connection problem (Connection refused)');
    expect(describeCheck(row(rows, 'a'))).toBe('L7OK 200: Layer7 check passed');
    expect(describeCheck(row(rows, 'd'))).toBe('no check result');
  });

  it('maps every check status family', () => {
    const withCheck = (check_status: string, status = 'UP') => healthOf({ status, check_status });
    for (const ok of ['L4OK', 'L6OK', 'L7OK', 'L7OKC', '* L7OK']) expect(withCheck(ok)).toBe('up');
    for (const bad of ['L4CON', 'L4TOUT', 'L6TOUT', 'L6RSP', 'L7STS', 'L7TOUT', 'L7RSP', 'SOCKERR']) {
      expect(withCheck(bad)).toBe('down');
    }
    for (const none of ['', 'INI', 'UNK']) expect(withCheck(none)).toBe('unknown');
    expect(withCheck('', 'no check')).toBe('unknown');
    // Forced down by hand (`set server … health down`) with an older passing result still shown.
    expect(withCheck('L7OK', 'DOWN 1/2')).toBe('down');
  });

  it('summarises a row on one line for logs', () => {
    expect(summariseRow(row(rows, 'a'))).toBe('web/a UP scur=1 qcur=0 check=L7OK weight=1');
    expect(summariseRow(row(rows, 'd'))).toBe('web/d no check scur=0 qcur=0 weight=1');
  });
});
