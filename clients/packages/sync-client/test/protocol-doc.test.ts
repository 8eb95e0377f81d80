// docs/protocol.md is what other client teams implement; this keeps its close-code table and the
// SDK's default policy from drifting apart.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLOSE_POLICY } from '../src/index.js';
import { FALLBACK_ACTION } from '../src/policy.js';

const doc = readFileSync(fileURLToPath(new URL('../../../../docs/protocol.md', import.meta.url)), 'utf8');

/** The close-code table's rows: codes of the first cell, the action cell. */
function closeCodeRows(): Array<{ codes: number[]; action: string }> {
  const section = doc.split('## 5. Close codes')[1]!.split('\n## ')[0]!;
  return section.split('\n')
    .filter((line) => /^\| \d{4}/.test(line))
    .map((line) => {
      const cells = line.split('|').map((cell) => cell.trim());
      return { codes: (cells[1]!.match(/\d{4}/g) ?? []).map(Number), action: cells[3]! };
    });
}

function documentedKind(action: string): string {
  if (action.startsWith('reconnect now')) return 'reconnect-now';
  if (action.startsWith('reconnect after ≥')) return 'backoff';
  if (action.startsWith('get a new token')) return 'refresh-token';
  if (action.startsWith('`failed`')) return 'fail';
  if (action.startsWith('retry after') || action.startsWith('reconnect with backoff')) return 'reconnect';
  if (action.startsWith('reconnect; never send')) return 'reconnect-now';
  throw new Error(`no policy kind for the documented action "${action}"`);
}

describe('docs/protocol.md', () => {
  const rows = closeCodeRows();

  it('lists every close code of the default policy', () => {
    // 1006 stands for every code without an entry: the fallback.
    const documented = rows.flatMap((row) => row.codes).filter((code) => code !== 1006);
    expect(documented.sort()).toEqual(Object.keys(DEFAULT_CLOSE_POLICY).map(Number).sort());
  });

  it.each(rows.flatMap((row) => row.codes.map((code) => [code, row.action] as const)))(
    'close code %i: the documented action is the default policy', (code, action) => {
      const policy = DEFAULT_CLOSE_POLICY[code] ?? FALLBACK_ACTION;
      expect(policy?.kind).toBe(documentedKind(action));
      if (policy?.kind === 'backoff') expect(action).toContain(`≥ ${policy.floorMs / 1000} s`);
    });
});
