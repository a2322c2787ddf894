/** resolveVars (defaults < vars file < --var) and loadChecked, in process. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecked } from '../src/app/load-checked.js';
import { RunbookError } from '../src/errors.js';
import { loadRunbookText } from '../src/load/load.js';
import { resolveVars } from '../src/load/vars.js';
import { tempDir } from './helpers/cli.js';

const RUNBOOK = `version: 1
id: vars
title: Vars
vars:
  servers: [a, b]
  revision: v1
  port: 8080
steps:
  - id: deploy
    run: deploy \${{ vars.revision }} \${{ vars.servers }} \${{ vars.port }}
`;
const runbook = loadRunbookText(RUNBOOK, 'vars.yaml').runbook!;
const dir = tempDir('runbook-vars-');
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const thrown = (f: () => unknown): RunbookError => {
  try {
    f();
  } catch (err) {
    if (err instanceof RunbookError) return err;
    throw err;
  }
  throw new Error('did not throw');
};

describe('resolveVars', () => {
  it('defaults', () => {
    expect(resolveVars(runbook, {})).toEqual({ servers: ['a', 'b'], revision: 'v1', port: 8080 });
  });

  it('a vars file overrides defaults; --var overrides the file', () => {
    const varsFile = file('v.yaml', 'revision: v2\nservers: [x]\nport: 9090\n');
    expect(resolveVars(runbook, { varsFile })).toEqual({ servers: ['x'], revision: 'v2', port: 9090 });
    expect(resolveVars(runbook, { varsFile, var: ['revision=v3'] })).toEqual({ servers: ['x'], revision: 'v3', port: 9090 });
  });

  it('JSON vars files work too', () => {
    expect(resolveVars(runbook, { varsFile: file('v.json', '{"revision": "v9"}') }).revision).toBe('v9');
  });

  it('--var on a list variable splits on commas; otherwise a string', () => {
    expect(resolveVars(runbook, { var: ['servers=web1, web2,web3', 'port=81', 'revision=a=b'] })).toEqual({
      servers: ['web1', 'web2', 'web3'],
      port: '81',
      revision: 'a=b',
    });
    expect(resolveVars(runbook, { var: ['servers='] }).servers).toEqual([]);
  });

  it('unknown names are refused with a did-you-mean (exit 2)', () => {
    const e = thrown(() => resolveVars(runbook, { var: ['revison=v2'] }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe('--var revison: unknown variable "revison" (did you mean "revision"?) (declared: servers, revision, port)');
    const f = thrown(() => resolveVars(runbook, { varsFile: file('u.yaml', 'sever: [a]\n') }));
    expect(f.message).toContain('unknown variable "sever" (did you mean "servers"?)');
  });

  it('a --var without "=" is a usage error', () => {
    expect(thrown(() => resolveVars(runbook, { var: ['revision'] })).message).toBe('--var "revision": expected NAME=VALUE');
  });

  it('vars files are untrusted input: aliases, duplicate keys, a non-mapping, a missing file', () => {
    const alias = thrown(() => resolveVars(runbook, { varsFile: file('a.yaml', 'revision: &r v1\nport: *r\n') }));
    expect(alias.location).toBe(`${join(dir, 'a.yaml')}:1:11`);
    expect(alias.message).toMatch(/^YAML anchors \(&r\) are not allowed.*\(and 1 more\)$/);
    expect(thrown(() => resolveVars(runbook, { varsFile: file('d.yaml', 'port: 1\nport: 2\n') })).message).toBe('duplicate key "port" (first at line 1)');
    expect(thrown(() => resolveVars(runbook, { varsFile: file('l.yaml', '- a\n') })).message).toContain('must be a mapping');
    expect(thrown(() => resolveVars(runbook, { varsFile: join(dir, 'none.yaml') })).message).toBe('no such file');
  });
});

describe('loadChecked', () => {
  it('returns the runbook, with warnings', () => {
    const loaded = loadChecked(file('ok.yaml', `${RUNBOOK}  - { id: x, run: "true", reboots: true, idempotent: true }\n`));
    expect(loaded.runbook.id).toBe('vars');
    expect(loaded.problems.map((p) => p.code)).toEqual(['step-flags']);
  });

  it('a schema error stops it too', () => {
    const e = thrown(() => loadChecked(file('typo.yaml', 'version: 1\nid: t\ntitle: t\nsteps: [{ id: a, run: "true", tiemout: 1m }]\n')));
    expect(e.message).toBe('unknown key "tiemout" (did you mean "timeout"?)');
    expect(e.location).toMatch(/typo\.yaml:4:31$/);
  });

  it('throws the first error with its location and a count of the rest', () => {
    const bad = file('bad.yaml', 'version: 1\nid: bad\ntitle: t\nsteps:\n  - { id: a, run: "true", on_success: nowhere }\n  - { id: b, run: "true", on_failure: b2 }\n');
    const e = thrown(() => loadChecked(bad));
    expect(e.exitCode).toBe(2);
    expect(e.location).toBe(`${bad}:5:39`);
    expect(e.message).toBe(`on_success: unknown step "nowhere": use next, end or a step id in the change plan (and 1 more problem: run \`runbook validate ${bad}\`)`);
  });
});
