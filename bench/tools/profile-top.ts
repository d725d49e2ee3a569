// Summarises a .cpuprofile: self time by function and by package/file, heaviest first.
// Usage: pnpm exec tsx bench/tools/profile-top.ts FILE.cpuprofile [N] [LAST_SECONDS]
// LAST_SECONDS keeps only the samples of the profile's last seconds (the scenario that ran just before the exit).
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, nArg, lastArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx bench/tools/profile-top.ts FILE.cpuprofile [N]');
  process.exit(2);
}
const top = Number(nArg ?? 30);
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
const from = lastArg ? p.endTime - Number(lastArg) * 1e6 : -Infinity;
let at = p.startTime;
p.samples.forEach((id, i) => {
  at += p.timeDeltas[i] ?? 0;
  if (at >= from) selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const where = (url: string) => {
  if (!url) return '(native)';
  const m = /node_modules\/\.pnpm\/([^/]+)\//.exec(url) ?? /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (m) return m[1] as string;
  return url.replace(/^file:\/\//, '').replace(/^.*\/work\/main\//, '');
};
const fnKey = (n: Node) =>
  `${n.callFrame.functionName || '(anonymous)'}  ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
// Our own code: the workspace's sources, not its dependencies.
const ours = (n: Node) =>
  /\/(apps|packages)\/[^/]+\/src\//.test(n.callFrame.url) && !n.callFrame.url.includes('node_modules');
/** The innermost frame of our own code on the sample's stack: who asked for the work. */
const ownCaller = (id: number): string => {
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur);
    if (n && ours(n)) return fnKey(n);
  }
  return '(not under our code)';
};
const byFn = new Map<string, number>();
const byFile = new Map<string, number>();
const byCaller = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id);
  if (!n) continue;
  add(byFn, fnKey(n), us);
  add(byFile, where(n.callFrame.url), us);
  if (n.callFrame.functionName !== '(idle)') add(byCaller, ownCaller(id), us);
}
const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  }
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled over ${((p.endTime - p.startTime) / 1e6).toFixed(1)} s`);
print('self time by package / file', byFile);
print('self time by function', byFn);
print('time by innermost caller in our code (idle excluded)', byCaller);
