#!/usr/bin/env node
// An example receiver for Drover's traffic webhook (docs/traffic-webhook-provider.md) that drives nginx: it keeps the
// `server` lines of nginx `upstream` blocks in one file, marks a server `down` on block, clears `down` on allow, sets
// `weight=` on set-weight, turns a canary split's percentage into `down`/`weight=`, and reloads nginx after each change.
// Node built-ins only, so it runs anywhere Node 20 does.
// See README.md beside it for setup and limits.
import { exec } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';

const env = {
  secret: process.env.DROVER_WEBHOOK_SECRET ?? '',
  upstreamFile: process.env.UPSTREAM_FILE ?? '',
  reloadCommand: process.env.RELOAD_COMMAND ?? 'nginx -t && nginx -s reload',
  host: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 8787),
  drainSeconds: Number(process.env.DRAIN_SECONDS ?? 10),
};
if (!/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(env.secret))
  fail('DROVER_WEBHOOK_SECRET must be the whsec_… secret Drover showed');
if (!env.upstreamFile) fail('UPSTREAM_FILE must name the nginx file holding the upstream blocks');
if (!(env.drainSeconds >= 0)) fail('DRAIN_SECONDS must be a number ≥ 0');
const key = Buffer.from(env.secret.slice('whsec_'.length), 'base64');

/** Standard Webhooks tolerance: a request signed more than 5 minutes away from now is refused (replays). */
const TOLERANCE_SECONDS = 5 * 60;

function fail(message) {
  console.error(`nginx-upstream-receiver: ${message}`);
  process.exit(2);
}

function log(line) {
  console.log(`${new Date().toISOString()} ${line}`);
}

/** Returns null when the request is signed by Drover with our secret and fresh, else why not. */
function signatureProblem(headers, rawBody) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) return 'missing webhook-id, webhook-timestamp or webhook-signature';
  if (!/^\d+$/.test(timestamp)) return 'webhook-timestamp is not a number of seconds';
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS)
    return 'webhook-timestamp is more than 5 minutes away';
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`).digest();
  // The header may list several signatures (secret rotation); any v1 one that matches will do.
  for (const entry of signatures.split(' ')) {
    const [version, value] = entry.split(',');
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return null;
  }
  return 'no matching signature';
}

// ---- the upstream file -------------------------------------------------------------------------------------------

const UPSTREAM_START = /^\s*upstream\s+([^\s{]+)\s*\{\s*(#.*)?$/;
const BLOCK_END = /^\s*\}/;
const SERVER_LINE = /^(\s*)server\s+(\S+?)((?:\s+[^;#\s]+)*)\s*;\s*(#.*)?$/;

/** The file as lines, with each server line parsed: its upstream, address, parameters and trailing name comment. */
function parseUpstreams(text) {
  const lines = text.split('\n');
  const servers = [];
  let upstream = null;
  lines.forEach((line, index) => {
    const start = UPSTREAM_START.exec(line);
    if (start) upstream = start[1];
    else if (upstream && BLOCK_END.test(line)) upstream = null;
    else if (upstream) {
      const m = SERVER_LINE.exec(line);
      if (!m) return;
      const comment = m[4] ?? '';
      const name = comment.replace(/^#\s*/, '').split(/\s+/)[0] || null;
      servers.push({
        index,
        upstream,
        indent: m[1],
        address: m[2],
        params: m[3].trim().split(/\s+/).filter(Boolean),
        name,
        comment,
      });
    }
  });
  return { lines, servers };
}

function renderServer(s) {
  const params = s.params.length ? ` ${s.params.join(' ')}` : '';
  return `${s.indent}server ${s.address}${params};${s.comment ? ` ${s.comment}` : ''}`;
}

/** A Drover server is a line named by its trailing comment (`# app-1`), or by its address (host:port). */
function findServer(parsed, backend, wanted) {
  return parsed.servers.find(
    (s) =>
      s.upstream === backend &&
      (s.name === wanted.server || s.address === wanted.server || (wanted.address && s.address === wanted.address)),
  );
}

function view(s) {
  const down = s.params.includes('down');
  const weight = s.params.find((p) => p.startsWith('weight='));
  return {
    server: s.name ?? s.address,
    status: down ? 'down' : 'up',
    adminState: down ? 'maint' : 'ready',
    // nginx OSS runs no active health checks, so there is no health to report.
    health: 'unknown',
    weight: weight ? Number(weight.slice('weight='.length)) : 1,
    address: s.address,
  };
}

function runReload() {
  return new Promise((resolve) => {
    exec(env.reloadCommand, { timeout: 30_000 }, (err, stdout, stderr) =>
      resolve(err ? `${err.message.split('\n')[0]} ${stderr || stdout}`.trim() : null),
    );
  });
}

/** Changes go one at a time, so two requests never interleave their read-modify-write of the file. */
let queue = Promise.resolve();
function serialized(fn) {
  const run = queue.then(fn);
  queue = run.catch(() => {});
  return run;
}

/** Apply `change` to each named server line, write the file, reload nginx; put the file back if the reload fails. */
async function edit(req, change) {
  const before = await readFile(env.upstreamFile, 'utf8');
  const parsed = parseUpstreams(before);
  for (const wanted of req.servers) {
    const s = findServer(parsed, req.backend, wanted);
    if (!s) return unknown(req.backend, wanted.server);
    change(s, wanted);
    parsed.lines[s.index] = renderServer(s);
  }
  const after = parsed.lines.join('\n');
  if (after === before) return null; // a retry of a change already made
  await writeAtomically(after);
  const reloadFailure = await runReload();
  if (reloadFailure) {
    await writeAtomically(before);
    return reply(422, { error: `${env.reloadCommand} failed, so the upstream file was put back: ${reloadFailure}` });
  }
  return null;
}

async function writeAtomically(text) {
  const tmp = `${env.upstreamFile}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, env.upstreamFile);
}

// ---- weights -----------------------------------------------------------------------------------------------------

/** nginx takes weights 1–1000; a server that should get nothing is marked `down` instead. */
const MAX_WEIGHT = 1000;

const withoutWeight = (params) => params.filter((p) => !p.startsWith('weight='));
const withoutDown = (params) => params.filter((p) => p !== 'down');
const withDown = (params) => (params.includes('down') ? params : [...params, 'down']);

/** nginx weights are integers 1–1000; allow may also say 0 (join marked down), "initial", or nothing. */
function validWeight(weight, onAllow) {
  if (onAllow && (weight === undefined || weight === 0 || weight === 'initial')) return true;
  return Number.isInteger(weight) && weight >= 1 && weight <= MAX_WEIGHT;
}

/**
 * Per-server weights that give `percent` % of new requests to `gaining` servers and the rest to `losing` ones, as
 * closely as integers 1–1000 allow: gaining·g / (gaining·g + losing·l) ≈ percent / 100. Of equally close pairs the
 * smallest wins, so 20 % of one against one reads weight=1 against weight=4.
 */
function splitWeights(gaining, losing, percent) {
  let best = { gaining: 1, losing: 1, error: Infinity };
  const ratio = (percent * losing) / ((100 - percent) * gaining);
  for (let l = 1; l <= MAX_WEIGHT; l++) {
    const g = Math.min(MAX_WEIGHT, Math.max(1, Math.round(ratio * l)));
    const error = Math.abs((100 * g * gaining) / (g * gaining + l * losing) - percent);
    if (error < best.error - 1e-9) best = { gaining: g, losing: l, error };
  }
  return best;
}

/** Why a split request cannot be applied, or null. */
function splitProblem(req) {
  if (typeof req.percent !== 'number' || !(req.percent >= 0 && req.percent <= 100))
    return `percent must be a number from 0 to 100, not ${JSON.stringify(req.percent)}`;
  const bad = req.servers.find((s) => s.side !== 'gaining' && s.side !== 'losing');
  if (bad) return `server ${bad.server} has side ${JSON.stringify(bad.side)}, not "gaining" or "losing"`;
  return null;
}

/**
 * How each server line changes for a split. At 0 % (or with no gaining servers) the gaining ones are `down` and the
 * losing ones take traffic at nginx's default weight; at 100 % the reverse. Either way no `weight=` is left behind, so
 * the file reads as before the canary but for `down`. In between both sides take
 * traffic, with weights giving the split. The weights Drover sends are a hint for balancers with other limits; nginx's
 * are worked out here from the percentage.
 */
function splitChange(req) {
  const count = (side) => req.servers.filter((s) => s.side === side).length;
  const gaining = count('gaining');
  const losing = count('losing');
  const percent = gaining === 0 ? 0 : losing === 0 ? 100 : req.percent;
  const allTo = (side) => (s, wanted) =>
    (s.params = wanted.side === side ? withoutDown(withoutWeight(s.params)) : withDown(withoutWeight(s.params)));
  if (percent === 0) return { change: allTo('losing'), summary: 'every new request to the losing servers' };
  if (percent === 100) return { change: allTo('gaining'), summary: 'every new request to the gaining servers' };
  const w = splitWeights(gaining, losing, percent);
  const achieved = (100 * w.gaining * gaining) / (w.gaining * gaining + w.losing * losing);
  return {
    change: (s, wanted) => (s.params = [...withoutWeight(withoutDown(s.params)), `weight=${w[wanted.side]}`]),
    summary: `weight=${w.gaining} on the gaining servers against weight=${w.losing} on the losing ones (${achieved.toFixed(1)} % of new requests)`,
  };
}

// ---- the actions -------------------------------------------------------------------------------------------------

/** Blocks in progress: requestId → when the drain wait ends (ms since the epoch). */
const draining = new Map();

const reply = (status, json) => ({ status, json });
const done = (message, extra = {}) => reply(200, { state: 'done', message, ...extra });
const unknown = (backend, server) =>
  reply(404, { code: 'UNKNOWN_SERVER', error: `no server ${server} in upstream ${backend} of ${env.upstreamFile}` });

const badWeight = (weight) =>
  reply(422, {
    error: `nginx weights are whole numbers 1–${MAX_WEIGHT}, not ${JSON.stringify(weight)}; block the server instead of weight 0`,
  });

function drainAnswer(requestId) {
  const left = (draining.get(requestId) - Date.now()) / 1000;
  if (left <= 0) {
    draining.delete(requestId);
    return done('marked down and waited for connections to finish');
  }
  return reply(200, {
    state: 'pending',
    message: `waiting ${left.toFixed(1)} s for connections to finish`,
    retryAfterSeconds: Math.min(left, 30),
  });
}

async function handle(req) {
  const names = req.servers.map((s) => s.server).join(', ');
  switch (req.action) {
    case 'block': {
      // restoreWeight: a canary left the server a weight of its own; once out, it gets its weight from the file back.
      const out = (s) => (s.params = withDown(req.restoreWeight ? withoutWeight(s.params) : s.params));
      const refused = await serialized(() => edit(req, out));
      if (refused) return refused;
      // nginx OSS cannot say how many connections a server still has, so wait a fixed time for them to finish,
      // never longer than Drover will wait.
      const wait = Math.min(env.drainSeconds, req.drainTimeoutSeconds ?? env.drainSeconds);
      if (!draining.has(req.requestId)) draining.set(req.requestId, Date.now() + wait * 1000);
      return drainAnswer(req.requestId);
    }
    case 'status':
      // Only a block is ever pending here; after a restart the map is empty, and the file already says down.
      return draining.has(req.requestId) ? drainAnswer(req.requestId) : done('nothing pending for this request');
    case 'allow': {
      // weight 0: in the upstream but without new requests until a split gives it some, which nginx says with `down`.
      // "initial": the server's own weight (no `weight=`). A number: that weight.
      const bad = req.servers.find((s) => !validWeight(s.weight, true));
      if (bad) return badWeight(bad.weight);
      const refused = await serialized(() =>
        edit(req, (s, wanted) => {
          if (wanted.weight === 0) s.params = withDown(s.params);
          else if (wanted.weight === undefined) s.params = withoutDown(s.params);
          else if (wanted.weight === 'initial') s.params = withoutWeight(withoutDown(s.params));
          else s.params = [...withoutWeight(withoutDown(s.params)), `weight=${wanted.weight}`];
        }),
      );
      if (refused) return refused;
      return req.servers.every((s) => s.weight === 0)
        ? done(`${names} in upstream ${req.backend} marked down: no requests until a split gives it some`)
        : done(`${names} back in upstream ${req.backend}`);
    }
    case 'split': {
      const problem = splitProblem(req);
      if (problem) return reply(422, { error: `cannot split upstream ${req.backend}: ${problem}` });
      const { change, summary } = splitChange(req);
      const refused = await serialized(() => edit(req, change));
      return refused ?? done(`${req.percent} % split in upstream ${req.backend}: ${summary}`);
    }
    case 'set-weight': {
      const bad = req.servers.find((s) => !validWeight(s.weight, false));
      if (bad) return badWeight(bad.weight);
      const refused = await serialized(() =>
        edit(req, (s, wanted) => (s.params = [...withoutWeight(s.params), `weight=${wanted.weight}`])),
      );
      return refused ?? done(`weight set on ${names}`);
    }
    case 'read': {
      const parsed = parseUpstreams(await readFile(env.upstreamFile, 'utf8'));
      if (req.servers.length === 0) {
        const all = parsed.servers.filter((s) => s.upstream === req.backend);
        if (all.length === 0)
          return reply(404, { code: 'UNKNOWN_SERVER', error: `no upstream ${req.backend} in ${env.upstreamFile}` });
        return done(undefined, { servers: all.map(view) });
      }
      const found = [];
      for (const wanted of req.servers) {
        const s = findServer(parsed, req.backend, wanted);
        if (!s) return unknown(req.backend, wanted.server);
        found.push({ ...view(s), server: wanted.server });
      }
      return done(undefined, { servers: found });
    }
    default:
      return reply(400, { error: `unknown action ${JSON.stringify(req.action)}` });
  }
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (c) => chunks.push(c));
  request.on('end', async () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    const send = ({ status, json }) => {
      log(`< ${status} ${JSON.stringify(json)}`);
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    };
    if (request.method !== 'POST') return send(reply(405, { error: 'POST only' }));
    const problem = signatureProblem(request.headers, raw);
    if (problem) return send(reply(401, { error: `signature check failed: ${problem}` }));
    try {
      const req = JSON.parse(raw);
      log(
        `> ${req.action} ${req.backend}/${req.servers.map((s) => s.server).join(',') || '*'} requestId=${req.requestId}`,
      );
      send(await handle(req));
    } catch (err) {
      send(reply(500, { error: String(err?.message ?? err) }));
    }
  });
});

server.listen(env.port, env.host, () => {
  const { port } = server.address();
  log(`listening on http://${env.host}:${port}/ for Drover; upstream file ${env.upstreamFile}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
