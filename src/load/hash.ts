/** The runbook text's hash (sha256, hex, of its UTF-8): what the saved runbook is kept with. */
import { createHash } from 'node:crypto';

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
