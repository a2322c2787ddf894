/**
 * What travels over one SSH session. The remote command is fixed (LOADER): it reads a bash
 * program (STAGE) from stdin up to a NUL and evaluates it, once per session. The stage then
 * serves steps one after another, for as long as the session lasts: it reads a step's frame (a
 * `step` line, then a nonce, the step's directory, argv and environment, NUL-separated: values
 * are never quoted, so nothing is parsed twice) and starts the step in a process group of its own
 * (bash job control rather than setsid(1), one program fewer per step: a group is what the
 * signals need) with stdin /dev/null, so a `read` or `cat` in the step cannot eat what follows.
 * While the step runs, stdin is control: one signal name a line, sent to the step's group; its
 * end (ssh died, the CLI was killed) kills the group. A line the stage does not expect between
 * steps (a signal that came too late for its step) is skipped.
 *
 * On stdout the step's output is framed by its nonce: what the login scripts print before
 * `NONCE:start:PGID:BOOTID:STARTTIME` is not the step's; `NONCE:end:CODE:LENGTH` ends it, followed by
 * LENGTH bytes of $RUNBOOK_OUTPUT. stderr gets `NONCE:start` and `NONCE:end` too, for the same
 * reason and because the session goes on after the step. Whatever the step left behind in its
 * group when it ends is stopped before the end frames (nothing keeps running on the host).
 */

/** The remote command: the same for every session, so no value is ever in it. */
export const LOADER = `exec bash -c 'IFS= read -r -d "" s && eval "$s"'`;
/** The same through `sudo -n` (become: true): the whole stage runs as root, its env from the frame. */
export const SUDO_LOADER = `exec sudo -n -- bash -c 'IFS= read -r -d "" s && eval "$s"'`;

/** Output files beyond this are cut (as for local steps). */
const MAX_OUTPUTS = 1 << 20;

// Per session: the session's name (for its outputs file), the login's locale and umask (the
// stage itself counts bytes in the C locale and creates files 0600; each step gets the login's
// back), the boot id. Per step, forks and builtins only, besides the step itself: job control
// (set -m) gives the step its own process group, so its signals are not ignored as a plain `&`
// would have them; its env is exported in its own subshell, so nothing of one step stays for the
// next, and last, in one `export` of the whole list, with everything the stage still needs in the
// positional parameters (which no variable can change) and its arrays unset (bash cannot export
// an array name): an env name such as `a` or `n` (the stage's own variables) then changes
// nothing of the stage, neither the program it runs nor the frames. The outputs file is the
// session's, emptied with a builtin and removed when the session ends (also when its pipes are
// gone: a trapped signal is the default again in the step), by the stage's own process only. A
// child that a signal reaches before it has dropped the stage's traps runs the EXIT trap too, and
// must not remove the file with the step's outputs in it: the control reader, stopped within
// microseconds of its fork when a step ends at once, is stopped with KILL, which runs no trap; a
// step's subshell can still get the operator's signal that early. The trap removes only when the
// kernel's pid for it is the stage's: `[ "$BASHPID" != "$sp" ] || rm` was seen to remove in a
// reader under load, so the test is one that must succeed before rm, not one whose failure lets
// rm through.
const STAGE = `IFS= read -r sn || exit 0
lo=\${LC_ALL-}; ls=\${LC_ALL+x}
LC_ALL=C
b=; { read -r b </proc/sys/kernel/random/boot_id; } 2>/dev/null
u=; while read -r k v; do [ "$k" = Umask: ] && u=$v && break; done </proc/$$/status
hd=$PWD
o=\${TMPDIR:-/tmp}/runbook-out.$sn
umask 077
exec 3<&0 4>&2 2>/dev/null
oe=; ( set -C; : >"$o" ) || oe="cannot create $o"
sp=$BASHPID
[ -n "$oe" ] || trap 'm=$BASHPID; read -r m _ </proc/self/stat; [ "$m" = "$sp" ] && rm -f "$o"' EXIT
trap 'exit 141' PIPE; trap 'exit 129' HUP
while :; do
IFS= read -r l || exit 0
[ "$l" = step ] || continue
IFS= read -r -d '' h || exit 0
f=($h); n=\${f[0]}; ac=\${f[1]}; ec=\${f[2]}
mapfile -d '' -n $((ac + ec + 1)) r
d=\${r[0]}
if [ -n "$oe" ]; then printf '%s:error:%s\\n' "$n" "$oe"; continue; fi
if [ -n "$d" ] && ! cd -- "$d"; then printf '%s:error:no directory %s\\n' "$n" "$d"; continue; fi
set -m
(
q=$BASHPID
umask "\${u:-022}"
read -r -a st </proc/$q/stat
printf '%s:start:%s:%s:%s\\n' "$n" "$q" "$b" "\${st[21]}"
printf '%s:start\\n' "$n" >&4
if [ -n "$ls" ]; then LC_ALL=$lo; else unset LC_ALL; fi
set -- "$ec" "$o" "\${r[@]:1+ac:ec}" "\${r[@]:1:ac}"
unset -v r f st
[ "$1" -gt 0 ] && export -- "\${@:3:$1}"
export RUNBOOK_OUTPUT="$2"
shift $(($1 + 2))
exec "$@" 2>&4 3<&- 4>&-
) </dev/null &
p=$!
set +m
r=()
(
while IFS= read -r -u 3 s; do case $s in TERM|CONT|KILL|INT|HUP) kill -s "$s" -- "-$p";; esac; done
kill -s KILL -- "-$p"; kill -s KILL "$p"
) &
w=$!
wait "$p"
c=$?
kill -s KILL "$w"; wait "$w"
if kill -s TERM -- "-$p"; then kill -s CONT -- "-$p"; sleep 1; kill -s KILL -- "-$p"; fi
cd -- "$hd"
x=
[ -s "$o" ] && IFS= read -r -d '' x <"$o"
: >"$o"
x=\${x:0:${MAX_OUTPUTS}}
printf '%s:end\\n' "$n" >&4
printf '%s:end:%s:%s\\n%s' "$n" "$c" "\${#x}" "$x"
done
`;

export interface Frame {
  readonly nonce: string;
  readonly cwd: string | undefined;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The first bytes of a session: the stage, then the session's name. */
export function encodeSession(name: string): string {
  return `${STAGE}\0${name}\n`;
}

/** The bytes of one step, written to an idle session. */
export function encodeFrame(f: Frame): string {
  const env = Object.entries(f.env);
  for (const [name, value] of env) {
    if (!ENV_NAME.test(name)) throw new Error(`environment variable name ${JSON.stringify(name)} cannot be passed to a host`);
    if (value.includes('\0')) throw new Error(`environment variable ${name} holds a NUL byte`);
  }
  for (const arg of f.argv) if (arg.includes('\0')) throw new Error('a command holds a NUL byte');
  if (f.cwd?.includes('\0')) throw new Error('the directory holds a NUL byte');
  const records = [`${f.nonce} ${f.argv.length} ${env.length}`, f.cwd ?? '', ...f.argv, ...env.map(([k, v]) => `${k}=${v}`)];
  return `step\n${records.join('\0')}\0`;
}

export type Trailer = { readonly kind: 'end'; readonly code: number; readonly outputs: string } | { readonly kind: 'error'; readonly message: string };

export interface Started {
  readonly pgid: number;
  readonly bootId: string;
  readonly startTime: number | undefined;
}

/**
 * Reads the session's stdout: drops what comes before the start frame, passes the step's
 * output on as it comes (holding back only what could be the start of the end frame), and
 * collects the end frame with the outputs file.
 */
export class StdoutFrames {
  private state: 'before' | 'step' | 'trailer' = 'before';
  private held: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  private readonly startMark: Buffer;
  private readonly endMark: Buffer;
  private readonly errorMark: Buffer;
  trailer: Trailer | undefined;

  constructor(
    nonce: string,
    private readonly onStart: (s: Started) => void,
    private readonly onOutput: (chunk: Buffer) => void,
  ) {
    this.startMark = Buffer.from(`${nonce}:start:`);
    this.endMark = Buffer.from(`${nonce}:end:`);
    this.errorMark = Buffer.from(`${nonce}:error:`);
  }

  push(chunk: Buffer): void {
    let buf = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = Buffer.alloc(0);
    if (this.state === 'before') {
      const err = buf.indexOf(this.errorMark);
      if (err >= 0) {
        const nl = buf.indexOf(10, err);
        if (nl < 0) return void (this.held = buf);
        this.trailer = { kind: 'error', message: buf.subarray(err + this.errorMark.length, nl).toString('utf8') };
        return void (this.state = 'trailer');
      }
      const at = buf.indexOf(this.startMark);
      const nl = at < 0 ? -1 : buf.indexOf(10, at);
      if (nl < 0) return void (this.held = buf.subarray(Math.max(0, buf.length - 4096)));
      const [pgid, bootId, startTime] = buf
        .subarray(at + this.startMark.length, nl)
        .toString('utf8')
        .split(':');
      this.state = 'step';
      this.onStart({ pgid: Number(pgid), bootId: bootId ?? '', startTime: startTime ? Number(startTime) : undefined });
      buf = buf.subarray(nl + 1);
    }
    if (this.state === 'step') {
      const at = buf.indexOf(this.endMark);
      if (at < 0) {
        const keep = partialMatch(buf, this.endMark);
        if (buf.length - keep > 0) this.onOutput(buf.subarray(0, buf.length - keep));
        if (keep) this.held = Buffer.from(buf.subarray(buf.length - keep));
        return;
      }
      if (at > 0) this.onOutput(buf.subarray(0, at));
      this.state = 'trailer';
      buf = buf.subarray(at + this.endMark.length);
      this.held = Buffer.from(buf);
      return this.parseEnd();
    }
    if (this.state === 'trailer' && this.trailer === undefined) {
      this.held = buf;
      this.parseEnd();
    }
  }

  /** `CODE:LENGTH\n` then LENGTH bytes. */
  private parseEnd(): void {
    const nl = this.held.indexOf(10);
    if (nl < 0) return;
    const [code, length] = this.held.subarray(0, nl).toString('utf8').split(':').map(Number);
    const body = this.held.subarray(nl + 1);
    if (body.length < (length ?? 0)) return;
    this.trailer = { kind: 'end', code: code ?? 0, outputs: body.subarray(0, length).toString('utf8') };
    this.held = Buffer.alloc(0);
  }

  /** Output held back at the end that turned out not to be a frame. */
  flush(): void {
    if (this.state === 'step' && this.held.length) this.onOutput(this.held);
    this.held = Buffer.alloc(0);
  }
}

/** The length of the longest tail of `buf` that is a head of `mark`. */
function partialMatch(buf: Buffer, mark: Buffer): number {
  for (let k = Math.min(mark.length - 1, buf.length); k > 0; k--) {
    if (buf.subarray(buf.length - k).equals(mark.subarray(0, k))) return k;
  }
  return 0;
}

/**
 * The session's stderr for one step: what comes before `NONCE:start` is ssh's or the login's
 * (kept, capped, as the reason when the step never started); after it, the step's, up to
 * `NONCE:end` (held back only where it could be the start of that mark).
 */
export class StderrFrames {
  private state: 'before' | 'step' | 'ended' = 'before';
  private pending: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  private readonly startMark: Buffer;
  private readonly endMark: Buffer;
  private before = '';

  constructor(
    nonce: string,
    private readonly onOutput: (chunk: Buffer) => void,
  ) {
    this.startMark = Buffer.from(`${nonce}:start\n`);
    this.endMark = Buffer.from(`${nonce}:end\n`);
  }

  push(chunk: Buffer): void {
    if (this.state === 'ended') return;
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    if (this.state === 'before') {
      const at = buf.indexOf(this.startMark);
      if (at < 0) return void (this.pending = buf.length > 8192 ? buf.subarray(buf.length - 8192) : buf);
      this.state = 'step';
      this.before = buf.subarray(0, at).toString('utf8');
      buf = buf.subarray(at + this.startMark.length);
    }
    this.pending = Buffer.alloc(0);
    const end = buf.indexOf(this.endMark);
    if (end >= 0) {
      if (end > 0) this.onOutput(buf.subarray(0, end));
      return void (this.state = 'ended');
    }
    const keep = partialMatch(buf, this.endMark);
    if (buf.length > keep) this.onOutput(buf.subarray(0, buf.length - keep));
    if (keep) this.pending = Buffer.from(buf.subarray(buf.length - keep));
  }

  /** The step's stderr is complete. */
  get ended(): boolean {
    return this.state === 'ended';
  }

  /** Output held back at the end that turned out not to be the end mark. */
  flush(): void {
    if (this.state !== 'step') return;
    if (this.pending.length) this.onOutput(this.pending);
    this.pending = Buffer.alloc(0);
  }

  /** What ssh said before the step started (or, if it never did, since): its reason for failing, on one line. */
  get said(): string {
    const text = this.state === 'before' ? this.pending.toString('utf8') : this.before;
    return text.trim().split('\n').filter(Boolean).slice(-3).join('; ');
  }
}
