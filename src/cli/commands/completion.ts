/**
 * `runbook completion bash|zsh|fish`: a completion script made from the command line's own
 * definition (src/cli/main.ts), so it never lists a command or option the CLI does not have.
 * bash: `eval "$(runbook completion bash)"`; zsh: the same in .zshrc (it uses zsh's bash
 * completion layer); fish: `runbook completion fish | source`.
 */
import type { Command, Option } from 'commander';
import { EXIT, invalid } from '../../errors.js';

interface Spec {
  readonly name: string;
  readonly description: string;
  readonly options: readonly { readonly flags: string[]; readonly takesValue: boolean; readonly choices: readonly string[]; readonly description: string }[];
}

const SHELLS = ['bash', 'zsh', 'fish'] as const;

export async function main(shell: string, program: Command): Promise<number> {
  if (!SHELLS.includes(shell as (typeof SHELLS)[number])) throw invalid(`completion: unknown shell "${shell}": use one of ${SHELLS.join(', ')}`);
  const specs = program.commands.map(spec);
  process.stdout.write(shell === 'fish' ? fish(specs) : shell === 'zsh' ? zsh(specs) : bash(specs));
  return EXIT.ok;
}

function spec(cmd: Command): Spec {
  const options = (cmd.options as readonly Option[]).map((o) => ({
    flags: [o.short, o.long].filter((f): f is string => Boolean(f)),
    takesValue: o.required || o.optional,
    choices: o.argChoices ?? [],
    description: o.description,
  }));
  return { name: cmd.name(), description: cmd.description(), options: [...options, { flags: ['--help'], takesValue: false, choices: [], description: 'show help' }] };
}

/** Single-quoted for a shell: nothing in it is expanded. */
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function bash(specs: readonly Spec[]): string {
  const cases = specs.map((s) => {
    const all = s.options.flatMap((o) => o.flags).join(' ');
    const values = s.options
      .filter((o) => o.takesValue)
      .map((o) => `      ${o.flags.join('|')}) ${o.choices.length ? `COMPREPLY=($(compgen -W ${quote(o.choices.join(' '))} -- "$cur"))` : 'COMPREPLY=($(compgen -f -- "$cur"))'}; return ;;`)
      .join('\n');
    return `    ${s.name})\n      case "$prev" in\n${values}${values ? '\n' : ''}      esac\n      if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W ${quote(all)} -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi ;;`;
  });
  return `# runbook completion for bash: eval "$(runbook completion bash)"
_runbook() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) cmd="\${COMP_WORDS[i]}"; break ;; esac
  done
  if [[ -z "$cmd" ]]; then
    COMPREPLY=($(compgen -W ${quote(['--help', '--version', ...specs.map((s) => s.name)].join(' '))} -- "$cur"))
    return
  fi
  case "$cmd" in
${cases.join('\n')}
  esac
}
complete -o filenames -F _runbook runbook
`;
}

function zsh(specs: readonly Spec[]): string {
  return `# runbook completion for zsh: eval "$(runbook completion zsh)" in ~/.zshrc
autoload -U +X bashcompinit && bashcompinit
${bash(specs).split('\n').slice(1).join('\n')}`;
}

function fish(specs: readonly Spec[]): string {
  const lines = ['# runbook completion for fish: runbook completion fish | source', 'complete -c runbook -f'];
  for (const s of specs) lines.push(`complete -c runbook -n __fish_use_subcommand -a ${s.name} -d ${quote(s.description)}`);
  for (const s of specs) {
    for (const o of s.options) {
      const flags = o.flags.map((f) => (f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`)).join(' ');
      const value = o.takesValue ? (o.choices.length ? ` -x -a ${quote(o.choices.join(' '))}` : ' -r -F') : '';
      lines.push(`complete -c runbook -n ${quote(`__fish_seen_subcommand_from ${s.name}`)} ${flags}${value} -d ${quote(o.description)}`);
    }
    lines.push(`complete -c runbook -n ${quote(`__fish_seen_subcommand_from ${s.name}`)} -F`);
  }
  return `${lines.join('\n')}\n`;
}
