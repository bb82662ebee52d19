#!/usr/bin/env -S node --max-semi-space-size=64
// The `shiyu` command: runs the compiled CLI (npm run build:server first). The larger young generation
// (--max-semi-space-size, in MiB) lets the short-lived objects of event ingest die young instead of being promoted:
// see docs/operations.md; `node bin/shiyu.js` without it works too, with more time in garbage collection.
import '../dist/main.js';
