#!/usr/bin/env node
// A small young generation keeps memory flat while a step streams gigabytes of output
// (see bench/: peak RSS of a step printing 1 GB); it costs nothing measurable elsewhere.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--max-semi-space-size=1');
await import('../dist/main.js');
