/**
 * The command line: commander wiring only. Each command lives in ./commands/<name>.ts and is
 * imported when it runs, so `runbook validate` never loads the executor, spinner or colours.
 * Errors end in one place: ./boundary.ts.
 */
import { Command, Option } from 'commander';
import { runCommand } from './boundary.js';
import { VERSION } from './version.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

const EXIT_CODES = `
Exit codes:
  0    done
  1    the change failed and the rollback completed
  2    invalid runbook or usage (nothing ran)
  3    the rollback failed or escalated: manual recovery needed
  4    aborted without rollback
  5    refused before any step ran (window, lock, missing secret, unfinished run, manual step without a terminal)
  130  interrupted: resumable with \`runbook resume\``;

const program = new Command('runbook')
  .description('Runbook-as-code for maintenance windows: validate, plan, execute, resume, roll back.')
  .version(VERSION, '-V, --version')
  .showHelpAfterError('(run with --help for usage)')
  // One prefix for every error, commander's own too: `runbook: unknown option '--bogus'`.
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'runbook: ')) })
  .addHelpText('after', EXIT_CODES)
  .exitOverride();

const format = (choices: string[], fallback: string) => new Option('--format <format>', 'output format').choices(choices).default(fallback);
const state = () => new Option('--state <dir|url>', 'where runs live: a directory, or a postgres:// URL shared by a team (default: $RUNBOOK_STATE)');
const stateDir = () => new Option('--state-dir <dir>', "state directory; with a database, this machine's full logs (default: $RUNBOOK_STATE_DIR or ./.runbook)");
/** How much a run says on the console (the journal and logs are the same either way). */
const quiet = () => new Option('-q, --quiet', 'show only failures, warnings, manual steps and the result').conflicts('verbose');
const verbose = () => new Option('-v, --verbose', "show each step's command whole").conflicts('quiet');
const varOptions = (cmd: Command) => cmd.option('--var <key=value>', 'set a variable (repeatable)', collect, []).option('--vars-file <file>', 'variables from a YAML or JSON file');

program
  .command('validate')
  .description('check runbooks against the format and its rules')
  .argument('<files...>')
  .addOption(format(['text', 'json', 'github'], 'text'))
  .option('--strict', 'treat warnings as errors')
  .action((files, opts) => runCommand(() => import('./commands/validate.js'), files, opts));

varOptions(program.command('plan').description('show what exec will do, in order, against the window (no side effects)').argument('<file>'))
  .option('--at <time>', 'plan as if starting at this time (ISO 8601, in the window zone)')
  .option('--fail <step>', 'rehearse the path taken when this step fails (repeatable; loop item: deploy[web2])', collect, [])
  .addOption(format(['text', 'json'], 'text'))
  .action((file, opts) => runCommand(() => import('./commands/plan.js'), file, opts));

varOptions(program.command('exec').description('execute a runbook').argument('<file>'))
  .option('--dry-run', 'walk the plan without running anything (same as plan)')
  .option('--at <time>', 'with --dry-run: plan as if starting at this time')
  .option('--fail <step>', 'with --dry-run: rehearse a failure (repeatable)', collect, [])
  .option('-y, --yes', 'confirm manual steps and prompts without a terminal')
  .option('--ignore-window', 'run even outside the maintenance window')
  .option('--wait-for-window', 'wait for the window to open, with a countdown')
  .option('--force-unlock <id>', 'break the lock of this runbook id (when its holder cannot be checked)')
  .addOption(state())
  .addOption(stateDir())
  .addOption(format(['text', 'json'], 'text'))
  .addOption(quiet())
  .addOption(verbose())
  .addHelpText('after', EXIT_CODES)
  .action((file, opts) => runCommand(() => import('./commands/exec.js'), file, opts));

program
  .command('resume')
  .description('resume an interrupted run (default: the newest unfinished run)')
  .argument('[run-or-file]')
  .option('--rerun-in-flight', 'run the step that was in flight again')
  .option('--skip-in-flight', 'count the step that was in flight as done')
  .option('--fail-in-flight', 'count the step that was in flight as failed (its on_failure applies)')
  .option('-y, --yes', 'confirm manual steps and prompts without a terminal')
  .option('--ignore-window', 'run even outside the maintenance window')
  .option('--force-unlock <id>', 'break the lock of this runbook id (when its holder cannot be checked)')
  .option('--kill-orphans', 'stop a step still running from before the interruption (without a terminal)')
  .addOption(state())
  .addOption(stateDir())
  .addOption(format(['text', 'json'], 'text'))
  .addOption(quiet())
  .addOption(verbose())
  .addHelpText('after', EXIT_CODES)
  .action((run, opts) => runCommand(() => import('./commands/resume.js'), run, opts));

program
  .command('rollback')
  .description('run the rollback of a run that already ended')
  .argument('<run>')
  .option('-y, --yes', 'confirm manual steps and prompts without a terminal')
  .addOption(state())
  .addOption(stateDir())
  .addOption(format(['text', 'json'], 'text'))
  .addOption(quiet())
  .addOption(verbose())
  .addHelpText('after', EXIT_CODES)
  .action((run, opts) => runCommand(() => import('./commands/rollback.js'), run, opts));

program
  .command('notify')
  .description("send an event's notice of a run again, as a new message referring to the first")
  .argument('<run>')
  .requiredOption('--event <name>', 'the event: run_started, run_finished, step_failed, ...')
  .option('--force-unlock <id>', 'break the lock of this runbook id (when its holder cannot be checked)')
  .addOption(state())
  .addOption(stateDir())
  .action((run, opts) => runCommand(() => import('./commands/notify.js'), run, opts));

program
  .command('status')
  .description('the state of a run (default: the newest)')
  .argument('[run]')
  .addOption(state())
  .addOption(stateDir())
  .addOption(format(['text', 'json'], 'text'))
  .action((run, opts) => runCommand(() => import('./commands/status.js'), run, opts));

program
  .command('runs')
  .description('list the runs in the state')
  .addOption(state())
  .addOption(stateDir())
  .addOption(format(['text', 'json'], 'text'))
  .action((opts) => runCommand(() => import('./commands/runs.js'), opts));

program
  .command('log')
  .description("print a run's step logs")
  .argument('<run>')
  .argument('[step]')
  .addOption(state())
  .addOption(stateDir())
  .action((run, step, opts) => runCommand(() => import('./commands/log.js'), run, step, opts));

program
  .command('watch')
  .description("follow a run live until it ends, from any machine; exits with the run's exit code")
  .argument('[run]')
  .addOption(state())
  .addOption(stateDir())
  .action((run, opts) => runCommand(() => import('./commands/watch.js'), run, opts));

program
  .command('import')
  .description('copy a finished or interrupted run from a state directory into the database (--state)')
  .argument('<run>')
  .requiredOption('--from <dir>', 'the state directory the run is in')
  .addOption(state())
  .addOption(stateDir())
  .action((run, opts) => runCommand(() => import('./commands/import.js'), run, opts));

program
  .command('render')
  .description('the change notification document')
  .argument('<file>')
  .addOption(format(['md', 'html'], 'md'))
  .option('--var <key=value>', 'set a variable (repeatable)', collect, [])
  .option('--vars-file <file>', 'variables from a YAML or JSON file')
  .action((file, opts) => runCommand(() => import('./commands/render.js'), file, opts));

program
  .command('report')
  .description('the executed change record of a run')
  .argument('<run>')
  .addOption(format(['md', 'html', 'json'], 'md'))
  .addOption(state())
  .addOption(stateDir())
  .action((run, opts) => runCommand(() => import('./commands/report.js'), run, opts));

program
  .command('check')
  .description('connect to every host the runbook names: reachable, host key known, sudo -n where become')
  .argument('<file>')
  .action((file) => runCommand(() => import('./commands/check.js'), file));

program
  .command('schema')
  .description('print the JSON Schema of the runbook format')
  .action(() => runCommand(() => import('./commands/schema.js')));

program
  .command('init')
  .description('write a commented starter runbook')
  .argument('[file]', 'where to write it', 'runbook.yaml')
  .option('--force', 'overwrite an existing file')
  .action((file, opts) => runCommand(() => import('./commands/init.js'), file, opts));

program
  .command('completion')
  .description('print a shell completion script: eval "$(runbook completion bash)"')
  .argument('<shell>', 'bash, zsh or fish')
  .action((shell) => runCommand(() => import('./commands/completion.js'), shell, program));

void program.parseAsync(process.argv).catch((err: unknown) => {
  // commander's own usage errors and --help/--version end here.
  const code = (err as { exitCode?: number; code?: string }).exitCode;
  const kind = (err as { code?: string }).code;
  if (kind === 'commander.helpDisplayed' || kind === 'commander.version' || kind === 'commander.help') process.exit(0);
  process.exit(code === 0 ? 0 : 2);
});
