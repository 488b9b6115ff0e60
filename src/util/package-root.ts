import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The folder holding degsim's package.json, from source (src/…) or from the build (dist/src/…). */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schemas'))) {
      cached = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('degsim package root not found');
    dir = up;
  }
}

/** Absolute path of a file in the package's `schemas/` folder. */
export function schemaPath(name: string): string {
  return join(packageRoot(), 'schemas', name);
}
