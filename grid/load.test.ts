import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../src/diagnostics.js';
import { loadFeederFile, parseFeederText } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'degsim-grid-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadFeederFile', () => {
  it('reads YAML and gives line and column for semantic errors', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      ['name: demo', 'baseKV: 11', 'slackBus: S', 'lines:', '  - from: S', '    to: A', '    rOhm: 1', '    xOhm: 1', '  - from: A', '    to: B', '    rOhm: lots', '    xOhm: 1', ''].join('\n'),
    );
    const r = loadFeederFile(file);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(1);
    const e = r.errors[0]!;
    expect(e).toMatchObject({ code: 'schema.type', path: 'lines[1].rOhm', file, line: 11, column: 11 });
    expect(formatDiagnostic(e)).toBe(`${file}:11:11: lines[1].rOhm: expected a finite number in ohm, got "lots" [schema.type]`);
  });

  it('reads JSON with line numbers too, pointing at the enclosing object for missing fields', () => {
    const text = '{\n  "name": "j",\n  "baseKV": 11,\n  "slackBus": "S",\n  "lines": [\n    {"from": "S", "to": "A", "xOhm": 1}\n  ]\n}\n';
    const r = parseFeederText(text, 'f.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ path: 'lines[0].rOhm', code: 'schema.required', line: 6, column: 5 });
  });

  it('reports syntax errors with their position', () => {
    const r = parseFeederText('name: x\nlines: [\n  {from: S\n', 'broken.yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors[0]!.code).toBe('yaml.syntax');
      expect(r.errors[0]!.line).toBeGreaterThanOrEqual(1);
    }
  });

  it('rejects unknown extensions and missing files as diagnostics', () => {
    const csv = loadFeederFile(join(dir, 'feeder.csv'));
    expect(!csv.ok && csv.errors[0]!.code).toBe('file.extension');
    const missing = loadFeederFile(join(dir, 'nope.json'));
    expect(!missing.ok && missing.errors[0]!.code).toBe('file.read');
  });

  it('locates warnings as well', () => {
    const r = parseFeederText('name: w\nbaseKV: 11\nslackBus: S\ncolour: blue\n', 'w.yaml');
    expect(r.ok && r.warnings[0]).toMatchObject({ code: 'feeder.unknown-field', path: 'colour', line: 4 });
  });
});
