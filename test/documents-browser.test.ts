/**
 * The documents in a real browser: each shipped runbook's change notice, and the record of a
 * succeeded and of a rolled-back run of the demo, rendered as HTML by the real CLI, laid out by
 * headless Chromium (Debian's, driven by playwright-core) for print at the width of an A4 and a
 * Letter page inside the margins, and printed to PDF. No element may reach past the page's
 * printable width, every section must be there, and the record of the 18-step demo must start
 * with its summary and not run to many pages. One browser for the file.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NOTICE_SECTION_IDS } from './fixtures/render/documents.js';
import { REPO, runCli, tempDir } from './helpers/cli.js';
import { describeWith } from './helpers/servers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Page widths and the printable width inside the @page side margins (src/render/document/html-style.ts: 14mm). */
const PAPERS = [
  { format: 'A4', widthMm: 210 },
  { format: 'Letter', widthMm: 215.9 },
] as const;
const SIDE_MARGIN_MM = 14;
const PX_PER_MM = 96 / 25.4;

const RECORD_SECTIONS = ['summary', 'steps', 'rollback', 'notifications', 'timeline', 'step-details'];
const SHIPPED = readdirSync(join(REPO, 'runbooks'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''));

async function cli(args: string[], cwd = REPO): Promise<string> {
  const r = await runCli(args, { cwd, timeoutMs: 60_000 });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** The demo run for real in a temporary directory; its record as HTML. */
async function demoRecord(...vars: string[]): Promise<string> {
  const dir = tempDir();
  const r = await runCli(['exec', join(REPO, 'runbooks', 'demo.yaml'), '--yes', '--state-dir', 'state', ...vars.flatMap((v) => ['--var', v])], { cwd: dir, timeoutMs: 60_000 });
  expect(r.code, r.stderr).toBe(vars.length ? 1 : 0);
  const [run] = readdirSync(join(dir, 'state', 'runs'));
  return cli(['report', run!, '--state-dir', 'state', '--format', 'html'], dir);
}

interface Layout {
  readonly sections: string[];
  /** Elements whose box reaches past the printable width (or left of it), with how far. */
  readonly overflowing: string[];
  readonly scrollWidth: number;
}

/** Run in the page (a string: the test's type check has no DOM). */
const MEASURE = `(() => {
  const width = document.documentElement.clientWidth;
  const overflowing = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > width + 0.5 || r.left < -0.5) overflowing.push('<' + el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '> ' + Math.round(r.left) + '..' + Math.round(r.right) + ' of ' + width + ': ' + (el.textContent || '').slice(0, 60));
  }
  return { sections: Array.from(document.querySelectorAll('section')).map((s) => s.id), overflowing, scrollWidth: document.documentElement.scrollWidth };
})()`;

/** Lays the document out for print at `widthPx` and measures every element. */
async function layout(page: Page, html: string, widthPx: number): Promise<Layout> {
  await page.setViewportSize({ width: Math.floor(widthPx), height: 1000 });
  await page.emulateMedia({ media: 'print' });
  await page.setContent(html, { waitUntil: 'load' });
  return page.evaluate(MEASURE) as Promise<Layout>;
}

/** Prints to PDF; returns the number of pages. */
async function printed(page: Page, format: 'A4' | 'Letter'): Promise<number> {
  const pdf = await page.pdf({ format });
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  return (pdf.toString('latin1').match(/\/Type\s*\/Page\b/g) ?? []).length;
}

async function check(page: Page, html: string, sections: readonly string[]): Promise<Record<string, number>> {
  const pages: Record<string, number> = {};
  for (const paper of PAPERS) {
    const printable = (paper.widthMm - 2 * SIDE_MARGIN_MM) * PX_PER_MM;
    const l = await layout(page, html, printable);
    expect(l.sections, paper.format).toEqual(sections);
    expect(l.overflowing, paper.format).toEqual([]);
    expect(l.scrollWidth, paper.format).toBeLessThanOrEqual(Math.floor(printable));
    pages[paper.format] = await printed(page, paper.format);
    expect(pages[paper.format]).toBeGreaterThan(0);
  }
  return pages;
}

describeWith(existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (Debian's chromium)`, 'the documents in headless Chromium', () => {
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    const profile = mkdtempSync(join(tmpdir(), 'runbook-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await context?.close();
  });

  it.each(SHIPPED)(
    'the notice of %s fits A4 and Letter, every section there',
    async (id) => {
      const html = await cli(['render', join(REPO, 'runbooks', `${id}.yaml`), '--format', 'html']);
      await check(page, html, NOTICE_SECTION_IDS);
    },
    60_000,
  );

  it('a wide table and a long command stay inside the page', async () => {
    // The contacts table once touched the sheet's edge; long unbroken words are the worst case.
    const long = `x${'0123456789'.repeat(20)}`;
    const dir = tempDir();
    const hostile = readFileSync(join(REPO, 'test', 'fixtures', 'render', 'hostile.yaml'), 'utf8');
    const wide = hostile.replace('email: "[mail](https://evil.example.com)"', `email: "${long}@example.com", notes: "${long}"`);
    expect(wide).not.toBe(hostile);
    writeFileSync(join(dir, 'wide.yaml'), `${wide}\nchecklist:\n  - id: long-word\n    run: echo ${long}${long}\n`);
    const html = await cli(['render', join(dir, 'wide.yaml'), '--format', 'html']);
    expect(html).toContain(long);
    await check(page, html, NOTICE_SECTION_IDS);
  }, 60_000);

  it('the record of a succeeded demo run: summary first, a few pages', async () => {
    const html = await demoRecord();
    const pages = await check(page, html, RECORD_SECTIONS);
    // 18 steps of about a second: the summary and the steps table, then the details.
    expect(pages.A4).toBeLessThanOrEqual(6);
    expect(pages.Letter).toBeLessThanOrEqual(6);
    const first = await page.evaluate("document.querySelector('main section').id");
    expect(first).toBe('summary');
  }, 90_000);

  it('the record of a rolled-back demo run', async () => {
    const html = await demoRecord('fail_on=web2');
    expect(html).toContain('Failed; rolled back');
    const pages = await check(page, html, RECORD_SECTIONS);
    expect(pages.A4).toBeLessThanOrEqual(6);
    expect(pages.Letter).toBeLessThanOrEqual(6);
  }, 90_000);
});
