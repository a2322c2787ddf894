/** Caps on untrusted input (runbooks and vars files), documented in docs/format.md. */

/** A runbook or vars file may be at most 1 MiB. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** Mappings and lists nest at most this deep (a runbook needs about 12). */
export const MAX_DEPTH = 64;
