/** `runbook render FILE [--format md|html]`: the change notification, on stdout. */
import { loadChecked } from '../../app/load-checked.js';
import { resolveVars } from '../../load/vars.js';
import { renderNoticeHtml } from '../../render/document/notice-html.js';
import { renderNoticeMarkdown } from '../../render/document/notice-md.js';

interface RenderOptions {
  readonly format?: string;
  readonly var?: string[];
  readonly varsFile?: string;
}

export async function main(file: string, opts: RenderOptions): Promise<number> {
  const { runbook, hash } = loadChecked(file);
  const vars = resolveVars(runbook, { var: opts.var ?? [], varsFile: opts.varsFile });
  const render = opts.format === 'html' ? renderNoticeHtml : renderNoticeMarkdown;
  process.stdout.write(render(runbook, { vars, file, hash, generatedAt: new Date().toISOString() }));
  return 0;
}
