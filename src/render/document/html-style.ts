/** The documents' only styling: inline, no fonts or images to fetch; readable on screen, printable on A4 or Letter. */
export const DOCUMENT_CSS = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --rule: #d0d7de; --soft: #f6f8fa; --alert: #a40e26; --manual: #7a4b00; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 60rem; padding: 2rem 1.5rem 4rem; color: var(--ink); background: #fff;
  font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
header { border-bottom: 3px solid var(--ink); margin-bottom: 1.5rem; }
header .kind { text-transform: uppercase; letter-spacing: .08em; color: var(--muted); font-size: .8rem; margin: 0; }
h1 { font-size: 1.7rem; margin: .2rem 0 .8rem; }
h2 { font-size: 1.2rem; border-bottom: 1px solid var(--rule); padding-bottom: .2rem; margin: 2rem 0 .8rem; }
p { margin: .5rem 0; }
table { border-collapse: collapse; width: 100%; table-layout: auto; margin: .6rem 0; font-size: .95em; }
th, td { border: 1px solid var(--rule); padding: .3rem .5rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
td.wrap { overflow-wrap: anywhere; }
table.signoff td { height: 3.2em; }
table.signoff td:first-child, table.signoff th:first-child { width: 22%; }
th { background: var(--soft); }
dl.fields { display: grid; grid-template-columns: minmax(0, max-content) minmax(0, 1fr); gap: .25rem 1rem; margin: .6rem 0; }
dl.fields dt { font-weight: 600; max-width: 14rem; }
dl.fields dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
p, li, dd, .step-head { overflow-wrap: anywhere; }
code { overflow-wrap: anywhere; }
pre { background: var(--soft); border: 1px solid var(--rule); border-radius: 4px; padding: .5rem .7rem; margin: .5rem 0;
  white-space: pre-wrap; overflow-wrap: anywhere; font-size: .85em; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.note { border-left: 4px solid var(--rule); padding: .1rem .8rem; color: var(--muted); }
.alert { border-left: 4px solid var(--alert); padding: .1rem .8rem; color: var(--alert); font-weight: 600; }
.step { border-left: 3px solid var(--rule); padding: .1rem 0 .1rem .8rem; margin: .8rem 0; }
.step .steps { margin-left: .6rem; }
.step-head { font-weight: 600; }
.num { display: inline-block; min-width: 2.5rem; }
.tag { font-weight: 400; color: var(--muted); font-size: .85em; }
.mark { font-size: .75em; font-weight: 700; border: 1px solid currentColor; border-radius: 3px; padding: 0 .3em; margin-left: .3em; color: var(--manual); }
.mark.failed { color: var(--alert); }
@page { size: auto; margin: 18mm 14mm 16mm; }
@page { @top-left { font: 8pt sans-serif; color: #57606a; } @top-right { font: 8pt sans-serif; color: #57606a; }
  @bottom-left { font: 8pt sans-serif; color: #57606a; } @bottom-right { font: 8pt sans-serif; color: #57606a; } }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; line-height: 1.35; }
  h2 { margin: 1.2rem 0 .5rem; }
  .step { margin: .45rem 0; }
  .step p { margin: .2rem 0; }
  pre { font-size: 8pt; padding: .2rem .4rem; margin: .2rem 0; }
  h2 { break-after: avoid; }
  .step-head { break-after: avoid; }
  tr, pre, table.signoff { break-inside: avoid; }
  section#approval { break-inside: avoid; }
  pre { background: none; }
  a { color: inherit; text-decoration: none; }
}
`;
