// Facts the SDK, the React bindings and the console share are written once, in the SDK: the JWT decoder
// (jwtClaims, tokenIds in @kull/sync-client) and the "flat or data" unwrap (messagePayload). This fails when a
// copy comes back in any of their sources.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const dirs = ['packages/sync-client/src', 'packages/sync-react/src', 'console/src'];

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? (entry.name === 'generated' ? [] : sources(join(dir, entry.name)))
      : /\.tsx?$/.test(entry.name) ? [join(dir, entry.name)] : []);
}

/** The files (from clients/) whose code matches, comments left out. */
function filesMatching(pattern: RegExp): string[] {
  return dirs.flatMap(sources).filter((file) => {
    const code = readFileSync(join(root, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    return pattern.test(code);
  }).map((file) => relative(root, join(root, file)));
}

describe('one source per fact in the clients', () => {
  it('one JWT decoder: only the SDK\'s jwtClaims decodes base64', () => {
    expect(filesMatching(/\batob\(/)).toEqual(['packages/sync-client/src/policy.ts']);
  });

  it('one "flat or data" unwrap: only the SDK\'s messagePayload reads FLAT_TYPES', () => {
    expect(filesMatching(/\bFLAT_TYPES\.includes\b/)).toEqual(['packages/sync-client/src/message.ts']);
  });

  it('control types from the contract: no list of protocol frame types by hand', () => {
    expect(filesMatching(/'CONNECTION_ESTABLISHED',\s*'PING'|'PING',\s*'PONG',\s*'ERROR'/)).toEqual([]);
  });
});
