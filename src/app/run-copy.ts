/**
 * A run's copy of its runbook, loaded as the run saw it: files it names (ssh config, known_hosts)
 * relative to the original runbook's directory, and the hosts and groups recorded at the start in
 * place of the inventory file (which may have changed, or not be next to the copy).
 */
import { dirname } from 'node:path';
import { type Loaded, loadRunbookText } from '../load/load.js';
import type { RunStartedRecord } from '../state/records.js';
import { recordedInventory } from './preflight.js';

export function loadRunCopy(copy: string, where: string, started: RunStartedRecord | undefined): Loaded {
  const options = started ? { baseDir: dirname(started.file), inventoryText: recordedInventory(started) } : {};
  return loadRunbookText(copy, `${where}/runbook.yaml`, options);
}
