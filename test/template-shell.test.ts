/**
 * Values can never change a command's structure: for hostile values in every quoting context,
 * real bash prints exactly the value and runs nothing else. A value passed in the environment
 * (a secret) reaches the shell as the same string, and is never in the command text.
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contextsOf, type Resolver, renderShell, TemplateError } from '../src/template/shell.js';

const resolvesTo =
  (v: unknown): Resolver =>
  () => ({ value: v });
const VAR = 'RUNBOOK_SECRET_x';
const inEnv: Resolver = () => ({ env: VAR });
function bash(script: string, env: Record<string, string> = {}): string {
  // stdin not a pipe: bash reads ~/.bashrc when its stdin is a socket (Node's pipes) and SHLVL < 2.
  const r = spawnSync('bash', ['-eo', 'pipefail', '-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`bash failed (${r.status}): ${r.stderr}\n${script}`);
  return r.stdout;
}

const HOSTILE = [
  '$(touch /tmp/pwned)',
  '`id`',
  "'; rm -rf / #",
  '"; echo injected; "',
  'a\nb',
  '\\',
  "it's",
  '$HOME',
  '${PATH}',
  '*',
  '-n',
  '',
  ' spaced  out ',
  'EOF',
  '\n#',
  "'\"'\"'",
  '$((1+1))',
  '!!',
  'a\tb',
  ';',
  '&&',
  '|',
  'trailing\\',
  '*.[ch] ?',
  '/*',
  'ünï 🔑 ∑',
  `$(printf x)\`id\`"'`,
  '\r\n',
  '-e',
  '${x:-y}',
];

// Each context wraps the reference so the expected output is the value (with markers).
const CONTEXTS: Array<[string, string, (v: string) => string]> = [
  ['unquoted', "printf '%s|' ${{ vars.x }}", (v) => `${v}|`],
  ['double quotes', 'printf \'%s|\' "<${{ vars.x }}>"', (v) => `<${v}>|`],
  ['single quotes', "printf '%s|' '<${{ vars.x }}>'", (v) => `<${v}>|`],
  ['in $(…)', "printf '%s|' \"$(printf '%s' ${{ vars.x }})\"", (v) => `${v.replace(/\n+$/, '')}|`],
  ['double quotes in $(…)', 'printf \'%s|\' "$(printf \'%s\' "${{ vars.x }}")"', (v) => `${v.replace(/\n+$/, '')}|`],
  ['here-document', 'cat <<END\n<${{ vars.x }}>\nEND', (v) => `<${v}>\n`],
  ['quoted here-document', "cat <<'END'\n<${{ vars.x }}>\nEND", (v) => `<${v}>\n`],
  ['comment', '# note: ${{ vars.x }}\nprintf done', () => 'done'],
  ['here-string', 'cat <<<"<${{ vars.x }}>"', (v) => `<${v}>\n`],
  ['assignment', 'x=${{ vars.x }}; printf \'%s|\' "$x"', (v) => `${v}|`],
  ["$'…'", "printf '%s|' $'\\'<${{ vars.x }}>\\t'", (v) => `'<${v}>\t|`],
];

// A here-document with a quoted delimiter expands nothing: a value in the environment cannot reach it.
const ENV_CONTEXTS = CONTEXTS.filter(([name]) => name !== 'quoted here-document');

describe('renderShell', () => {
  for (const [name, template, expected] of CONTEXTS) {
    it(`keeps hostile values literal: ${name}`, () => {
      for (const v of HOSTILE) expect(bash(renderShell(template, resolvesTo(v)))).toBe(expected(v));
    });
  }

  it('keeps random values literal in every context (property)', () => {
    const chars = fc.constantFrom(...`ab $\`'"\\\n\t;&|()<>{}#*?!~-=%@EN`.split(''));
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 24 }), fc.integer({ min: 0, max: CONTEXTS.length - 1 }), (v, i) => {
        const [, template, expected] = CONTEXTS[i]!;
        if (template.includes('END') && v.split('\n').includes('END')) return; // refused, tested below
        expect(bash(renderShell(template, resolvesTo(v)))).toBe(expected(v));
      }),
      { numRuns: 300 },
    );
  });

  describe('a value in the environment (secrets)', () => {
    for (const [name, template, expected] of ENV_CONTEXTS) {
      it(`gives the shell the same string: ${name}`, () => {
        const command = renderShell(template, inEnv);
        expect(command).not.toContain('${{');
        // A line that would end a here-document is refused as a literal, and harmless as a variable.
        for (const v of [...HOSTILE, 'a\nEND\nrm -rf /']) expect(bash(command, { [VAR]: v }), JSON.stringify(v)).toBe(expected(v));
      });
    }

    it('gives the shell the same string in every context (property)', () => {
      const chars = fc.constantFrom(...[...`ab $\`'"\\\n\t;&|()<>{}#*?[]!~-=%@ENü🔑`]);
      fc.assert(
        fc.property(fc.string({ unit: chars, maxLength: 24 }), fc.integer({ min: 0, max: ENV_CONTEXTS.length - 1 }), (v, i) => {
          const [, template, expected] = ENV_CONTEXTS[i]!;
          expect(bash(renderShell(template, inEnv), { [VAR]: v })).toBe(expected(v));
        }),
        { numRuns: 150 },
      );
    });

    it('refers to the variable, quoted for where it stands, and never holds the value', () => {
      expect(renderShell('echo ${{ secrets.T }}', inEnv)).toBe(`echo "\${${VAR}}"`);
      expect(renderShell('echo "a${{ secrets.T }}b"', inEnv)).toBe(`echo "a\${${VAR}}b"`);
      expect(renderShell("echo 'a${{ secrets.T }}b'", inEnv)).toBe(`echo 'a'"\${${VAR}}"'b'`);
      expect(renderShell('cat <<E\n${{ secrets.T }}\nE', inEnv)).toBe(`cat <<E\n\${${VAR}}\nE`);
      expect(renderShell('# ${{ secrets.T }}\ntrue', inEnv)).toBe(`# \${${VAR}}\ntrue`);
    });

    it('refuses a quoted here-document and backquotes, which cannot expand it', () => {
      expect(() => renderShell("cat <<'E'\n${{ secrets.T }}\nE", inEnv)).toThrow(/quoted delimiter/);
      expect(() => renderShell('cat <<"E"\n${{ secrets.T }}\nE', inEnv)).toThrow(/quoted delimiter/);
      expect(() => renderShell('cat <<\\E\n${{ secrets.T }}\nE', inEnv)).toThrow(/quoted delimiter/);
      expect(() => renderShell('echo `echo ${{ secrets.T }}`', inEnv)).toThrow(/backquotes/);
      expect(contextsOf("cat <<'E'\n${{ secrets.T }}\nE\necho ${{ vars.x }}").map((c) => [c.mode, c.heredoc?.expands])).toEqual([
        ['heredoc', false],
        ['plain', undefined],
      ]);
    });
  });

  it('turns a list into quoted words', () => {
    expect(renderShell('echo ${{ vars.x }}', resolvesTo(['a b', "c'd"]))).toBe(`echo 'a b' 'c'\\''d'`);
    expect(bash(renderShell("printf '%s|' ${{ vars.x }}", resolvesTo(['a b', '$(id)'])))).toBe('a b|$(id)|');
  });

  it('refuses backquotes and values that would end a here-document', () => {
    expect(() => renderShell('echo `echo ${{ vars.x }}`', resolvesTo('x'))).toThrow(TemplateError);
    expect(() => renderShell('cat <<END\n${{ vars.x }}\nEND', resolvesTo('a\nEND\nrm -rf /'))).toThrow(/here-document/);
  });

  it('shows plan placeholders as they are', () => {
    expect(renderShell('curl -H ${{ secrets.T }} ${{ vars.x }}', (r) => (r.root === 'secrets' ? { display: '***' } : { value: 'h' }))).toBe("curl -H *** 'h'");
  });
});
