// Close codes have one source, common-events/src/main/resources/close-codes.json. The SDK's CloseCode and
// DEFAULT_CLOSE_POLICY are generated from it at build time, docs/protocol.md's table (what other client teams
// implement) is written from it, and CloseCodesContractTest (common-events) checks the gateway's CloseCodes.java.
// This fails when the doc or the generated module differs from the data file, or an entry's words and its policy
// disagree.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the build scripts, without types
import { closeCodes, docTable, docTableInDoc } from '../scripts/close-codes.mjs';
import { CloseCode, DEFAULT_CLOSE_POLICY } from '../src/index.js';
import { FALLBACK_ACTION } from '../src/policy.js';
import type { CloseAction } from '../src/types.js';

interface Entry { code: number; name: string; meaning: string; action: string; policy?: CloseAction }
const entries = (closeCodes as { codes: Entry[] }).codes;
const others = (closeCodes as { otherCodes: Entry }).otherCodes;

/** The policy kind an action's words describe. */
function describedKind(action: string): string {
  if (action.startsWith('reconnect now') || action.startsWith('reconnect; never send')) return 'reconnect-now';
  if (action.startsWith('reconnect after ≥')) return 'backoff';
  if (action.startsWith('get a new token')) return 'refresh-token';
  if (action.startsWith('`failed`')) return 'fail';
  if (action.startsWith('retry after') || action.startsWith('reconnect with backoff')) return 'reconnect';
  throw new Error(`no policy kind for the action "${action}"`);
}

describe('close codes', () => {
  it('docs/protocol.md holds the table written from close-codes.json (else: node packages/sync-client/scripts/close-codes.mjs --write-doc)', () => {
    expect(docTableInDoc()).toBe(docTable());
  });

  it('the SDK has every code of close-codes.json under its name, and no other', () => {
    expect(CloseCode).toEqual(Object.fromEntries(entries.map((entry) => [entry.name, entry.code])));
  });

  it('the default policy is the data file\'s, entry for entry; codes without one get the fallback', () => {
    expect(DEFAULT_CLOSE_POLICY).toEqual(Object.fromEntries(entries.filter((e) => e.policy).map((e) => [e.code, e.policy])));
    expect(FALLBACK_ACTION).toEqual(others.policy);
  });

  it.each([...entries, { ...others, code: 'others' }])('close code $code: its action in words is its policy', (entry) => {
    const policy = entry.policy ?? FALLBACK_ACTION;
    expect(policy.kind).toBe(describedKind(entry.action));
    if (policy.kind === 'backoff') expect(entry.action).toContain(`≥ ${policy.floorMs / 1000} s`);
  });
});
