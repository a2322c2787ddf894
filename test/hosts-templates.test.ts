/** `${{ groups.X }}` and `${{ host.name }}` in templates, and loops still called host or groups. */
import { describe, expect, it } from 'vitest';
import { resolveItems } from '../src/engine/actions.js';
import { renderCommand, renderMessage, type Values } from '../src/engine/scope.js';
import { loopItems } from '../src/plan/loop-items.js';
import { refOf } from '../src/template/parse.js';

const values = (extra: Partial<Values> = {}): Values => ({
  vars: { servers: ['a'] },
  secrets: {},
  steps: new Map(),
  run: { id: 'r', started: 's' },
  window: {},
  env: {},
  dry: false,
  groups: { web: ['web1', 'web 2;x'] },
  ...extra,
});

describe('host templates', () => {
  it('parses host.name and groups.X as roots, and refuses other host paths only as loop references', () => {
    expect(refOf('host.name')).toMatchObject({ root: 'host', parts: ['name'] });
    expect(refOf('groups.web')).toMatchObject({ root: 'groups', parts: ['web'] });
    // A loop called host (written before host.name existed) keeps working.
    expect(refOf('host')).toMatchObject({ root: 'loop', parts: ['host'] });
    expect(refOf('host.ip')).toMatchObject({ root: 'loop', parts: ['host', 'ip'] });
  });

  it('resolves a group to quoted words and host.name to the step host (local by default)', () => {
    expect(renderCommand('ping ${{ groups.web }}', values(), {}).run).toBe("ping 'web1' 'web 2;x'");
    expect(renderMessage('on ${{ host.name }}', values(), {})).toBe('on local');
    expect(renderMessage('on ${{ host.name }}', values({ host: 'web1' }), {})).toBe('on web1');
    expect(() => renderMessage('${{ groups.db }}', values(), {})).toThrow(/no such group/);
  });

  it('lets a loop variable called host hide host.name, as before', () => {
    expect(renderMessage('${{ host.name }}', values({ host: 'web1' }), { host: { name: 'kns1' } })).toBe('kns1');
    expect(renderMessage('${{ host }}', values(), { host: 'kns2' })).toBe('kns2');
  });

  it('loops over a group in the engine and in the plan', () => {
    expect(resolveItems('${{ groups.web }}', values(), {})).toEqual(['web1', 'web 2;x']);
    expect(loopItems('${{ groups.web }}', {}, { web: ['web1', 'web2'] })).toEqual(['web1', 'web2']);
  });
});
