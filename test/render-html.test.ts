/**
 * `runbook render --format html`: one self-contained file per shipped runbook (inline CSS, no
 * scripts, no remote assets), printable (@media print), with the same sections as the Markdown.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HTML_ATTRS, HTML_TAGS, htmlTags, NOTICE_SECTION_IDS } from './fixtures/render/documents.js';
import { REPO, runCli } from './helpers/cli.js';

const SHIPPED = ['email-patch', 'kns-rolling-deploy', 'network-migration', 'conx-aws-production'];

async function html(id: string): Promise<string> {
  const r = await runCli(['render', join(REPO, 'runbooks', `${id}.yaml`), '--format', 'html']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

describe('render --format html', () => {
  it.each(SHIPPED)('%s is one self-contained, printable file', async (id) => {
    const doc = await html(id);
    expect(doc.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(doc.trimEnd().endsWith('</html>')).toBe(true);
    expect(doc).toContain("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'");
    expect(doc).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    const tags = htmlTags(doc);
    expect(tags.filter((t) => !HTML_TAGS.has(t.name)).map((t) => t.name)).toEqual([]);
    expect(tags.flatMap((t) => t.attrs).filter((a) => !HTML_ATTRS.has(a))).toEqual([]);
    const style = doc.slice(doc.indexOf('<style>'), doc.indexOf('</style>'));
    expect(style).toContain('@media print');
    expect(style).toContain('@page');
    expect(style).toMatch(/break-inside: avoid/);
    expect([...doc.matchAll(/<section id="([^"]+)">/g)].map((m) => m[1])).toEqual(NOTICE_SECTION_IDS);
  });

  it('shows the email window in MST and UTC, and the numbered plan', async () => {
    const doc = await html('email-patch');
    expect(doc).toContain('<tr><td>Start</td><td>20:00 MST</td><td>03:00 UTC</td></tr>');
    expect(doc).toContain('<tr><td>Date</td><td>2009-12-04 (Fri)</td><td>2009-12-05 (Sat)</td></tr>');
    expect(doc).toContain('<span class="num">10</span> Close maintenance window');
    expect(doc).toContain('<td>On-call system administrator</td><td>System Admin</td><td>555-0100 x421</td><td>sysadmin@example.com</td>');
  });

  it('shows the KNS loop, branches and escalation', async () => {
    const doc = await html('kns-rolling-deploy');
    expect(doc).toContain('<p>For each of kns1, kns2, kns3, one at a time:</p>');
    expect(doc).toContain('<span class="num">2.4</span> Test');
    expect(doc).toContain('<p>If successful, continue to step 2.5. If unsuccessful, go to the rollback plan.</p>');
    expect(doc).toContain('<div class="alert"><p>If the rollback fails: stop, notify, and escalate: Develop and communicate a recovery plan to interested parties (see contacts).</p></div>');
    expect(doc).toContain('Authorization: Bearer ***');
  });

  it('marks manual steps', async () => {
    const doc = await html('network-migration');
    expect(doc).toContain('<span class="num">1</span> Move network cable to the new switch port<span class="mark manual">MANUAL</span>');
    expect(doc).toContain('<p>Wait 2m.</p>');
  });
});
