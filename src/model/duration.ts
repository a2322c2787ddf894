/**
 * Durations as written in a runbook: `90s`, `2m`, `1h30m`, `2d`, `250ms`, ISO 8601 (`PT1H30M`),
 * or a bare number of seconds. Parsed to milliseconds.
 */

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
const COMPACT = /^(?:(\d+(?:\.\d+)?)d)?(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/;
const ISO = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/** Durations already read: a runbook repeats a few (`1s`, `5m`) many times, each read twice. */
const known = new Map<string, number | undefined>();

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  if (known.has(value)) return known.get(value);
  const ms = parseText(value);
  if (known.size < 1000) known.set(value, ms);
  return ms;
}

function parseText(value: string): number | undefined {
  const text = value.trim();
  if (text === '' || text === 'P' || text === 'PT') return undefined;
  const compact = COMPACT.exec(text);
  if (compact?.slice(1).some((part) => part !== undefined)) {
    const [, d, h, m, s, ms] = compact;
    return sum([d, UNIT_MS.d], [h, UNIT_MS.h], [m, UNIT_MS.m], [s, UNIT_MS.s], [ms, UNIT_MS.ms]);
  }
  const iso = ISO.exec(text);
  if (iso?.slice(1).some((part) => part !== undefined)) {
    const [, d, h, m, s] = iso;
    return sum([d, UNIT_MS.d], [h, UNIT_MS.h], [m, UNIT_MS.m], [s, UNIT_MS.s]);
  }
  return undefined;
}

function sum(...parts: Array<[string | undefined, number]>): number {
  return Math.round(parts.reduce((total, [n, unit]) => total + (n === undefined ? 0 : Number(n) * unit), 0));
}

const UNITS = [
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
] as const;

/**
 * `1h30m`, `45s`, `48h32m`, `9d3h`, `0s`: the compact form, largest units first; days only from a
 * week on, as people say a 48-hour soak. One form everywhere: plan, console, notice and record.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  if (ms > 0 && ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms / 1000);
  let out = '';
  for (const [unit, size] of UNITS) {
    if (unit === 'd' && rest < 7 * size) continue;
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out || '0s';
}
