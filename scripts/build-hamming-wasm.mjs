#!/usr/bin/env node
// Compiles src/modules/students/hamming.wat into hamming.wasm.ts (the bytes as base64), with wabt.
import fs from 'node:fs';
import wabtInit from 'wabt';

const dir = new URL('../src/modules/students/', import.meta.url);
const wabt = await wabtInit();
const mod = wabt.parseWat('hamming.wat', fs.readFileSync(new URL('hamming.wat', dir), 'utf8'));
mod.validate();
const { buffer } = mod.toBinary({});
const b64 = Buffer.from(buffer).toString('base64');
fs.writeFileSync(
  new URL('hamming.wasm.ts', dir),
  `// Generated from hamming.wat by scripts/build-hamming-wasm.mjs: do not edit.\nexport const HAMMING_WASM = '${b64}';\n`,
);
console.log(`hamming.wasm.ts: ${buffer.length} bytes`);
