// Preloaded into the API and worker by `pnpm bench --profile DIR` (NODE_OPTIONS=--import …; --cpu-prof itself is
// not allowed in NODE_OPTIONS): records a V8 CPU profile of the whole process life and writes
// DIR/<name>-<pid>.cpuprofile when it exits. Open it in Chrome DevTools, or summarise it with bench/tools/profile-top.ts.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.env.DROVER_BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  const name = path.basename(process.argv[1] ?? 'node').replace(/\.[cm]?[jt]s$/, '');
  // The in-process inspector answers synchronously, so this works inside 'exit'.
  process.once('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(path.join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
