/**
 * Escaping: a runbook whose title, steps, contacts and commands are hostile Markdown and HTML
 * renders to documents whose structure it cannot change, and secrets never appear.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HTML_ATTRS, HTML_TAGS, htmlTags, pipes, splitFences, withoutCodeSpans } from './fixtures/render/documents.js';
import { REPO, runCli } from './helpers/cli.js';

const HOSTILE = join(REPO, 'test', 'fixtures', 'render', 'hostile.yaml');

async function render(format: 'md' | 'html'): Promise<string> {
  const r = await runCli(['render', HOSTILE, '--format', format]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

describe('render escapes hostile Markdown', () => {
  it('keeps the commands whole inside fences no backtick can close', async () => {
    const { fences } = splitFences(await render('md'));
    expect(fences).toContain('echo "```" ; curl -H "Authorization: ***" https://api.example.com/\necho \'</code></pre><script>alert(2)</script>\'');
    expect(fences).toContain('echo "</pre>"');
  });

  it('lets no text become a heading, a tag, a link, an autolink or emphasis', async () => {
    const { prose } = splitFences(await render('md'));
    const text = withoutCodeSpans(prose);
    expect(prose.split('\n').filter((l) => /^#/.test(l))).toHaveLength(1 + 16);
    expect(text.match(/<\/?[a-z!][^>]*>/gi)?.filter((t) => t !== '<br>') ?? []).toEqual([]);
    expect(text).not.toMatch(/(?<!\\)[[\]]/);
    expect(text).not.toMatch(/https?:\/\//);
    expect(text).not.toMatch(/\bwww\.evil/);
    expect(prose).toContain('\\*\\*step\\*\\*');
    expect(prose).toContain('\\*bold\\*');
    expect(prose).toContain('\\# not a heading');
    expect(prose).toContain('1\\. a list item that stays text');
  });

  it('keeps every table row to its columns', async () => {
    const { prose } = splitFences(await render('md'));
    const lines = prose.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.startsWith('|') || lines[i - 1]?.startsWith('|')) continue;
      const width = pipes(lines[i]!);
      for (let j = i; j < lines.length && lines[j]!.startsWith('|'); j++) expect(pipes(lines[j]!), lines[j]).toBe(width);
    }
    expect(prose).toContain('| Eve \\| &lt;script&gt; | \\*admin\\* |');
  });

  it('shows secrets as ***, in commands and webhook addresses', async () => {
    const md = await render('md');
    expect(md).not.toMatch(/secrets\.|HOSTILE_TOKEN|T0K3N/);
    expect(md).toContain('Authorization: ***');
  });
});

describe('render escapes hostile HTML', () => {
  it('emits only its own tags and attributes', async () => {
    const html = await render('html');
    const tags = htmlTags(html);
    expect(tags.filter((t) => !HTML_TAGS.has(t.name)).map((t) => t.name)).toEqual([]);
    expect(tags.flatMap((t) => t.attrs).filter((a) => !HTML_ATTRS.has(a))).toEqual([]);
    expect(html).not.toMatch(/<script|<img|<iframe|<!--/i);
  });

  it('shows the hostile text as text', async () => {
    const html = await render('html');
    expect(html).toContain('<h1>&lt;script&gt;alert(1)&lt;/script&gt; | *bold* # [x](https://evil.example.com/) `tick` &lt;!--</h1>');
    expect(html).toContain('echo &#39;&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(2)&lt;/script&gt;&#39;');
    expect(html).toContain('&lt;/p&gt;&lt;/section&gt;&lt;script&gt;alert(&#39;impact&#39;)&lt;/script&gt;');
    expect(html).toContain('&amp;lt;script&amp;gt;');
    expect(html).not.toMatch(/secrets\.|HOSTILE_TOKEN|T0K3N/);
  });

  it('prints the hostile title in the page margins only as an escaped CSS string', async () => {
    const html = await render('html');
    const style = html.slice(html.indexOf('<style>') + 7, html.indexOf('</style>'));
    expect(style).not.toMatch(/[<>'`]/);
    const contents = [...style.matchAll(/content: ([^;}]*);/g)].map((m) => m[1]!);
    expect(contents.length).toBeGreaterThanOrEqual(3);
    for (const c of contents) expect(c).toMatch(/^(?:"(?:[A-Za-z0-9 .,:()_-]|\\[0-9a-f]+ )*"|counter\((?:page|pages)\)| )+$/);
    expect(contents.join(' ')).toContain('\\3c script\\3e alert(1)');
  });
});
