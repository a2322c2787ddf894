/** `when:` conditions: the small grammar, its evaluation and its words. */
import { describe, expect, it } from 'vitest';
import { ConditionError, describeCondition, evaluate, parseCondition, type RefValue } from '../src/template/condition.js';
import type { Ref } from '../src/template/parse.js';

const values: Record<string, unknown> = { 'vars.env': 'prod', 'vars.n': 3, 'steps.drain.status': 'succeeded', 'steps.t.exit_code': 0, 'steps.t.outputs.count': '10', server: 'web2' };
const lookup = (ref: Ref): RefValue => (ref.raw in values ? { value: values[ref.raw] } : { unknown: true });
const holds = (text: string) => evaluate(parseCondition(text), lookup);

describe('when: conditions', () => {
  it('compares strings, numbers, booleans and lists', () => {
    expect(holds("vars.env == 'prod'")).toBe(true);
    expect(holds('vars.env != "prod"')).toBe(false);
    expect(holds("steps.drain.status != 'succeeded'")).toBe(false);
    expect(holds('steps.t.outputs.count > 9')).toBe(true); // '10' is a number
    expect(holds('steps.t.outputs.count == 10.0')).toBe(true);
    expect(holds('vars.n <= 3 and vars.n >= 3')).toBe(true);
    expect(holds("server in ['web1', 'web2']")).toBe(true);
    expect(holds('server in []')).toBe(false);
    expect(holds('steps.t.exit_code == 0')).toBe(true);
  });

  it('joins with and, or, not and parentheses, and with the usual precedence', () => {
    expect(holds("vars.env == 'dev' or vars.n == 3 and server == 'web2'")).toBe(true);
    expect(holds("(vars.env == 'dev' or vars.n == 3) and server == 'web1'")).toBe(false);
    expect(holds("not vars.env == 'dev'")).toBe(true);
    expect(holds("not (vars.env == 'prod' and vars.n == 3)")).toBe(false);
  });

  it('is unknown while it depends on a value not known yet, unless the rest decides it', () => {
    expect(holds("steps.later.status == 'succeeded'")).toBe('unknown');
    expect(holds("steps.later.status == 'succeeded' and vars.env == 'dev'")).toBe(false);
    expect(holds("steps.later.status == 'succeeded' or vars.env == 'prod'")).toBe(true);
    expect(holds("not steps.later.status == 'failed'")).toBe('unknown');
  });

  it('refuses what is not the grammar, at its offset', () => {
    const bad: Array<[string, number, RegExp]> = [
      ["vars.env = 'prod'", 9, /unexpected "="/],
      ['vars.env == prod', 12, /expected a value.*quote text/],
      ["vars.env == 'prod", 12, /unclosed/],
      ["vars.env == 'a' and", 19, /expected a reference/],
      ["(vars.env == 'a'", 16, /expected "\)"/],
      ["vars.env == 'a' vars.n == 1", 16, /expected "and", "or" or the end/],
      ["vars == 'a'", 0, /vars needs a name/],
      ['', 0, /empty/],
    ];
    for (const [text, offset, message] of bad) {
      let err: unknown;
      try {
        parseCondition(text);
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(ConditionError);
      expect((err as ConditionError).message, text).toMatch(message);
      expect((err as ConditionError).offset, text).toBe(offset);
    }
  });

  it('fails a numeric comparison on a value that is not a number', () => {
    expect(() => holds('vars.env > 2')).toThrow(/compares numbers, and vars.env is "prod"/);
  });

  it('says itself in words', () => {
    expect(describeCondition(parseCondition("steps.drain.status != 'succeeded'"))).toBe('step drain did not succeed');
    expect(describeCondition(parseCondition("steps.switch-dns.status == 'succeeded' and (vars.env == 'prod' or vars.n > 2)"))).toBe(
      "step switch-dns succeeded and (vars.env is 'prod' or vars.n is more than 2)",
    );
    expect(describeCondition(parseCondition("server in ['a', 'b']"))).toBe("server is one of 'a', 'b'");
  });
});
