// README.md's client examples are copies of examples/*.ts(x), which `npm run build` type-checks against
// the packages: an example that stops compiling fails the build, one that drifts from its file fails here.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8');
const readme = read('../../README.md');
const clients = readme.split('\n## Clients')[1]!.split('\n## ')[0]!;
const blocks = [...clients.matchAll(/```(ts|tsx)\n([\s\S]*?)```/g)].map((match) => match[2]);

describe('README Clients section', () => {
  it.each(['plain.ts', 'react.tsx'])('shows examples/%s verbatim', (file) => {
    const example = read(`../examples/${file}`).split('// README example\n')[1];
    expect(example).toBeDefined();
    expect(blocks).toContain(example);
  });
});
