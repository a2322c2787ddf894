/**
 * Text from a runbook or a step's output, made safe to print: terminal escape sequences and
 * control characters removed (tabs and newlines kept), line endings made `\n`, and every
 * `${{ secrets.X }}` shown as `***`.
 */

const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function cleanText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(ANSI, '').replace(CONTROL, '');
}

const SECRET_REF = /\$\{\{\s*secrets\s*\.[^}]*\}\}/g;

/** A template as written, with secret references masked: `--token ${{ secrets.T }}` -> `--token ***`. */
export function maskSecretRefs(template: string): string {
  return template.replace(SECRET_REF, '***');
}

const LIST_ITEM = /^\s*(?:\d+[.)]|[-*+•])\s/;

/**
 * Prose as paragraphs of lines: a blank line separates paragraphs; a line that starts a list
 * item (`1.`, `-`) starts a new line; any other line continues the one before (YAML block text
 * is wrapped by its author, not meant as line breaks).
 */
export function paragraphsOf(text: string): string[][] {
  return cleanText(text)
    .split(/\n\s*\n/)
    .map((para) => {
      const lines: string[] = [];
      for (const raw of para.split('\n')) {
        const line = raw.trim();
        if (line === '') continue;
        if (lines.length === 0 || LIST_ITEM.test(raw)) lines.push(line);
        else lines[lines.length - 1] += ` ${line}`;
      }
      return lines;
    })
    .filter((p) => p.length > 0);
}
