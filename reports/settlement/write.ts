import { join } from 'node:path';
import { fail, ok, type Diagnostic, type Result } from '../../src/diagnostics.js';
import type { Ledger } from '../../src/settlement/ledger.js';
import { writeFileAtomic } from '../../src/util/atomic.js';
import { billFileName, billJson, billMarkdown, billTotals, buildBills } from './bills.js';
import { formatSettlementCsv } from './csv.js';

/** What `writeSettlementReports` wrote, relative to the run folder. */
export interface WrittenSettlementReports {
  readonly files: readonly string[];
  readonly lines: number;
  readonly parties: number;
}

/**
 * Writes `settlement.csv` and `bills/<party>.json` + `bills/<party>.md` into `dir`, each file
 * atomically, after checking the books: the ledger must balance and every bill must equal the
 * party's ledger position. Any failure returns diagnostics and writes nothing. The ledger must
 * retain its lines.
 */
export function writeSettlementReports(dir: string, ledger: Ledger): Result<WrittenSettlementReports> {
  if (!ledger.retainsLines) {
    return fail([{ code: 'report.no-lines', path: 'ledger', message: 'bills list every line, but this ledger was created without retaining its lines' }]);
  }
  const errors: Diagnostic[] = [];
  const checked = ledger.check();
  if (!checked.ok) errors.push(...checked.errors);
  const lines = ledger.lines();
  const bills = buildBills(lines);
  const reconciled = ledger.checkBills(billTotals(bills));
  if (!reconciled.ok) errors.push(...reconciled.errors);
  // File names are distinct by construction, but not once case is folded (macOS, Windows).
  const names = new Map<string, string>();
  for (const b of bills) {
    const name = billFileName(b.party).toLowerCase();
    const other = names.get(name);
    if (other !== undefined) errors.push({ code: 'report.bill-name', path: b.party, message: `parties ${other} and ${b.party} differ only in case; their bill files would collide on case-insensitive file systems` });
    names.set(name, b.party);
  }
  if (errors.length > 0) return fail(errors);

  const files: string[] = ['settlement.csv'];
  writeFileAtomic(join(dir, 'settlement.csv'), formatSettlementCsv(lines));
  for (const b of bills) {
    const name = billFileName(b.party);
    writeFileAtomic(join(dir, 'bills', `${name}.json`), billJson(b));
    writeFileAtomic(join(dir, 'bills', `${name}.md`), billMarkdown(b));
    files.push(`bills/${name}.json`, `bills/${name}.md`);
  }
  return ok({ files, lines: lines.length, parties: bills.length });
}
