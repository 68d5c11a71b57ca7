// `npm run build` runs this (compiled) after tsc: records the generator hash of the sources it
// compiled in dist/generator-hash.txt, so every form of the build keys seeded images as the
// sources do (seed/cache.ts).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HASH_FILE, sourcesHash } from './cache.js';

// dist/seed/record-hash.js → the package root
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
writeFileSync(join(root, HASH_FILE), sourcesHash(root) + '\n');
