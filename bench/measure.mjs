// What the benchmarks share: timing a process, and a sample's median, min and max.
import { spawnSync } from 'node:child_process';

/** A timer of processes run with `env` in `cwd`: ms of one run, which must exit `opts.expect` (0). */
export function timer(env, cwd) {
  return (cmd, args, opts = {}) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], cwd, ...opts });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== (opts.expect ?? 0)) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return ms;
  };
}

export function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}
