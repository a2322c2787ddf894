/**
 * The journal of an earlier session of the same run, indexed for the engine's walk: the result
 * of each step execution by (key, visit), the attempts that started, the decisions taken, and
 * the machine (host and boot) each execution ran on.
 */
import type { DecisionRecord, JournalRecord, StepFinishedRecord, StepStartedRecord } from '../state/records.js';

/** A machine as one boot of it: the boot id changes when it restarts. */
export interface Machine {
  readonly host: string;
  /** '' where the system has none. */
  readonly bootId: string;
}

const id = (key: string, visit: number | undefined) => `${key}#${visit ?? 0}`;
/** Before a remote host's name in `machineOf`: its boot id is never compared with this machine's. */
const REMOTE = 'ssh:';

export class Replay {
  private readonly finishedBy = new Map<string, StepFinishedRecord>();
  private readonly startedBy = new Map<string, StepStartedRecord[]>();
  private readonly decisionsBy = new Map<string, DecisionRecord[]>();
  private readonly machineOf = new Map<number, Machine>();
  /** Remote hosts' boot ids now (`ssh:NAME` -> boot id), asked by the resume. */
  private readonly hostBoots = new Map<string, string>();
  readonly maxSeq: number;
  readonly finishedRun: boolean;
  readonly rollbackStarted: boolean;

  /**
   * `replayOnly`: stop the walk at the first step the journal does not have (rollback of a past
   * run, until its own rollback starts: `endReplayOnly`). `here`: the machine this session runs on, to tell whether a step's machine restarted.
   */
  constructor(
    readonly records: readonly JournalRecord[],
    public replayOnly = false,
    private readonly here?: Machine,
  ) {
    let maxSeq = 0;
    let finishedRun = false;
    let rollbackStarted = false;
    // A step whose process record was lost (or that never spawned) ran where its session did.
    let session: Machine | undefined;
    for (const r of records) {
      if ((r.type === 'run_started' || r.type === 'run_resumed') && r.bootId !== undefined) session = { host: r.host, bootId: r.bootId };
      // A remote step's boot id is its host's: never compared with this machine's.
      else if (r.type === 'step_process') this.machineOf.set(r.seq, { host: r.remote ? `${REMOTE}${r.host}` : r.host, bootId: r.bootId });
      if (r.type === 'step_started') {
        if (session) this.machineOf.set(r.seq, session);
        const k = id(r.key, r.visit);
        const list = this.startedBy.get(k);
        if (list) list.push(r);
        else this.startedBy.set(k, [r]);
        maxSeq = Math.max(maxSeq, r.seq);
      } else if (r.type === 'step_finished') {
        this.finishedBy.set(id(r.key, r.visit), r);
        maxSeq = Math.max(maxSeq, r.seq);
      } else if (r.type === 'decision') {
        const k = id(r.key, r.visit);
        const list = this.decisionsBy.get(k);
        if (list) list.push(r);
        else this.decisionsBy.set(k, [r]);
      } else if (r.type === 'run_finished') finishedRun = true;
      else if (r.type === 'rollback_started') rollbackStarted = true;
    }
    this.maxSeq = maxSeq;
    this.finishedRun = finishedRun;
    this.rollbackStarted = rollbackStarted;
  }

  /** The hosts (by name) whose steps were in flight on a remote host, so that the resume asks for their boot ids. */
  remoteHostsOf(seqs: readonly number[]): string[] {
    const names = seqs.map((s) => this.machineOf.get(s)?.host).filter((h): h is string => h?.startsWith(REMOTE) === true);
    return [...new Set(names)].map((h) => h.slice(REMOTE.length));
  }

  /** A remote host's boot id now: a `reboots` step that ran there counts done once it changed. */
  setHostBoot(name: string, bootId: string): void {
    this.hostBoots.set(`${REMOTE}${name}`, bootId);
  }

  /** The walk has rebuilt the run's state: what follows (its rollback) runs for real. */
  endReplayOnly(): void {
    this.replayOnly = false;
  }

  finished(key: string, visit: number): StepFinishedRecord | undefined {
    return this.finishedBy.get(id(key, visit));
  }

  started(key: string, visit: number): readonly StepStartedRecord[] {
    return this.startedBy.get(id(key, visit)) ?? [];
  }

  /**
   * Whether the machine execution `seq` ran on has restarted since: same host, another boot id.
   * Not knowing (no boot id, another host) is not a restart.
   */
  restartedSince(seq: number): boolean {
    const then = this.machineOf.get(seq);
    const remote = then?.host.startsWith(REMOTE) ? this.hostBoots.get(then.host) : undefined;
    const now = remote !== undefined ? { host: then!.host, bootId: remote } : this.here;
    return then !== undefined && now !== undefined && then.bootId !== '' && now.bootId !== '' && then.host === now.host && then.bootId !== now.bootId;
  }

  /** The next recorded decision about (key, visit), consumed in order. */
  takeDecision(key: string, visit?: number): DecisionRecord | undefined {
    return this.decisionsBy.get(id(key, visit))?.shift();
  }
}
