#!/usr/bin/env node
// The `shiyu` command: runs the compiled CLI (npm run build:server first).
import '../dist/main.js';
