// @vitest-environment jsdom
// The seeds (../shared/seeds/*.txt, beside the clone) are what web teams already run. This test takes their
// TypeScript/TSX code blocks that use our APIs, type-checks each against the BUILT packages (dist/*.d.ts, as an app
// would compile; `npm run build` first), and runs those that can run: seed 004's test mock renders its component
// with @testing-library/react, seed 001's UPDATE_PROGRESS reaches a fake gateway through the SDK with the right
// frame, seed 000's useWebSocket handler gets a CREDIT_UPDATE. A seed snippet that stops compiling or working fails
// the build. What is not ours is stated below, once: the module paths the seeds import our hooks from (an app
// re-exports @kull/sync-react there), and stubs for the app's own modules and names (its toast, query client,
// store, components), nothing else.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterEach, describe, expect, it, vi } from 'vitest';

const clients = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SEEDS_DIR = process.env.SYNC_SEEDS_DIR ?? resolve(clients, '../../shared/seeds');
if (!existsSync(SEEDS_DIR) || readdirSync(SEEDS_DIR).filter((f) => f.endsWith('.txt')).length === 0) {
  throw new Error(
    `The seeds are missing: no *.txt in ${SEEDS_DIR}. They live outside the repository, in ../shared/seeds beside the ` +
      'clone (CI checks them out there); set SYNC_SEEDS_DIR to read them from elsewhere. Not skipped: a missing seed ' +
      'directory would let a broken seed snippet pass.',
  );
}
for (const pkg of ['sync-client', 'sync-react']) {
  if (!existsSync(join(clients, 'packages', pkg, 'dist/index.d.ts'))) {
    throw new Error(`packages/${pkg}/dist is not built: run \`npm run build\` (the seeds are checked against the built packages)`);
  }
}

// ---- what is not ours ---------------------------------------------------------------------------------------

/** The module paths the seeds import our hooks and components from: an app adopting the SDK re-exports it there. */
const OUR_MODULE_PATHS = [
  '@/hooks/useWebSocket', '@/hooks/useShootProgress', '@/components/SyncIndicator', '@/components/DeviceList',
  '@/hooks/use-websocket-context', '@/components/hoc/withWebSocket', '@/contexts/WebSocketContext',
];
/** Seed 003 imports the hook from a path relative to its component: the same re-export, at ../services/. */
const OUR_RELATIVE_MODULE = 'services/syncWebSocket.ts';

/** The app's own modules and names the seeds use (stubs: types for the check; bodies where a block runs). */
const APP_STUBS = `
declare module '@/lib/queryClient' { export const queryClient: QueryClientStub; }
declare module '@/hooks/use-toast' { export function useToast(): { toast: ToastStub }; }
declare module '@tanstack/react-query' { export function useQueryClient(): QueryClientStub; }
declare module 'react-redux' {
  export function useDispatch(): (action: unknown) => void;
  export function useSelector<T>(selector: (state: any) => T): T;
}
declare module '@/store/slices/conversationSlice' { export function addMessage(message: unknown): unknown; }
declare module '@/constants/websocket-events' { export const MESSAGE_GENERATE: string, MESSAGE_REGENERATE: string; }
interface QueryClientStub { invalidateQueries(filters?: unknown): Promise<void>; }
interface ToastStub {
  (toast: { title: string; description?: string }): void;
  info(text: string): void; success(text: string): void; error(text: string): void;
}
declare const toast: ToastStub;
declare const queryClient: QueryClientStub;
declare const Header: React.FC<{ children?: React.ReactNode }>;
declare const Content: React.FC, RouterContent: React.FC, Logo: React.FC, Nav: React.FC, MyComponent: React.FC;
declare const Progress: React.FC<{ value: number }>;
declare const shootId: string, orgId: string, currentOrganizationId: string | undefined;
declare function updateProgressBar(progress: number | undefined): void;
declare function openConflictModal(data: unknown): void;
declare function handleMessage(message: unknown): void;
declare function handleNewNotification(message: unknown): void;
declare function handleUpdateNotification(message: unknown): void;
declare function handleDeleteNotification(message: unknown): void;
declare function showErrorToast(title: string, message: string): void;
declare function showNotification(message: unknown): void;
declare function updateUI(message: unknown): void;
declare function updateCharts(message: unknown): void;
/** Seed 004's tests are written for Jest; vitest's vi is its drop-in (run below with vi as jest). */
declare const jest: typeof import('vitest').vi;
declare const it: typeof import('vitest').it, expect: typeof import('vitest').expect;
/** Fragments written inside a component that took these from useWebSocketContext(). */
declare const registerHandlers: import('@kull/sync-react').WebSocketContextValue['registerHandlers'];
declare const isConnected: boolean;
`;
/** The app's relative module seed 001 imports (./lib/queryClient), as a file next to the blocks. */
const APP_RELATIVE_STUB = 'export const queryClient = { invalidateQueries: async (_filters?: unknown) => {} };\n';

/**
 * How the seeds are compiled: strict, except that they are written like JavaScript where types add nothing
 * (untyped callback parameters, `error.message` in a catch), as their own projects compile them.
 */
const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
  jsx: ts.JsxEmit.ReactJSX, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], strict: true, noImplicitAny: false,
  useUnknownInCatchVariables: false, skipLibCheck: true, noEmit: true, isolatedModules: true, types: [],
};

// ---- the blocks -----------------------------------------------------------------------------------------------

interface Block {
  seed: string;
  /** 1-based index among the seed's fenced blocks. */
  index: number;
  code: string;
}

const REACT_HOOKS = ['useEffect', 'useMemo', 'useState', 'useCallback', 'useRef'];
const CONTEXT_MEMBERS = ['registerHandlers', 'unregisterHandlers', 'requestPending'];
const reactApi = await import('@kull/sync-react');
const OUR_NAMES = Object.keys(reactApi).filter((name) => /^(use|with)[A-Z]|^[A-Z]/.test(name));

function seedBlocks(): Block[] {
  return readdirSync(SEEDS_DIR).filter((f) => f.endsWith('.txt')).sort().flatMap((file) => {
    const text = readFileSync(join(SEEDS_DIR, file), 'utf8');
    return [...text.matchAll(/```(\w*)\n([\s\S]*?)```/g)]
      .map((match, i) => ({ lang: match[1]!, code: match[2]!, index: i + 1 }))
      .filter((block) => ['typescript', 'ts', 'tsx'].includes(block.lang))
      .map(({ code, index }) => ({ seed: file.replace(/\.txt$/, ''), index, code }));
  });
}

const uses = (code: string, name: string) => new RegExp(`(^|[^\\w.'"])${name}\\b`).test(code);
const usesOurApi = (block: Block) => [...OUR_NAMES, ...CONTEXT_MEMBERS].some((name) => uses(block.code, name));
/** A placeholder such as `registerHandlers({...})` (seed 004's best practices) is prose, not code. */
const isPlaceholder = (block: Block) => /\(\{\.\.\.\}\)/.test(block.code);
/** A block of type declarations only (seed 003's `interface SyncEvent`): the seed's own types, seen by its other blocks. */
const isTypesOnly = (block: Block) => /^\s*(interface|type) /.test(block.code) && !/\n(const|function|import) /.test(block.code);
/** A function signature without a body (seed 003's API reference): checked as `declare function` against ours. */
const signatureOf = (block: Block) => /^function (\w+)\([\s\S]*\):\s*\{[\s\S]*\}\s*$/.exec(block.code.trim())?.[1];

const blocks = seedBlocks();
const checked = blocks.filter((block) => usesOurApi(block) && !isPlaceholder(block));

/** The block as a module: imports the snippet leaves implicit (it is part of a file that has them), the seed's types. */
function moduleSource(block: Block): { source: string; preludeLines: number } {
  const importedNames = [...block.code.matchAll(/import\s+(?:(\w+)\s*,?\s*)?(?:\{([^}]*)\})?\s*from/g)]
    .flatMap((match) => [match[1] ?? '', ...(match[2] ?? '').split(',')].map((name) => name.trim()));
  const signature = signatureOf(block);
  const imported = (name: string) => importedNames.includes(name) || name === signature
    || new RegExp(`(const|function|let) \\{?[^=;]*\\b${name}\\b[^=;]*\\}? ?=`).test(block.code);
  const implicitOurs = OUR_NAMES.filter((name) => uses(block.code, name) && !imported(name));
  const implicitReact = REACT_HOOKS.filter((name) => uses(block.code, name) && !imported(name));
  const seedTypes = blocks.filter((other) => other.seed === block.seed && other !== block && isTypesOnly(other)).map((other) => other.code);
  const prelude = [
    implicitOurs.length ? `import { ${implicitOurs.join(', ')} } from '@kull/sync-react';` : '',
    implicitReact.length ? `import { ${implicitReact.join(', ')} } from 'react';` : '',
    ...seedTypes,
  ].filter(Boolean).join('\n');
  // Seed 000's list of usages (`<SyncIndicator />` on its own line, then the next): each one a statement.
  let code = block.code.replace(/^(<[A-Z]\w*[^>]*\/>)$/gm, '$1;');
  if (signature) code = `declare ${code.trim()}\nimport * as ours from '@kull/sync-react';\nexport const conforms: typeof ${signature} = ours.${signature};`;
  const preludeLines = prelude ? prelude.split('\n').length : 0;
  return { source: `${prelude}${prelude ? '\n' : ''}${code}\nexport {};\n`, preludeLines };
}

// ---- the workspace: the blocks as files, the re-exports, the stubs --------------------------------------------

const work = join(clients, 'target/seed-check');
rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, 'blocks/lib'), { recursive: true });
mkdirSync(join(work, 'services'), { recursive: true });
writeFileSync(join(work, 'sdk.ts'), "export * from '@kull/sync-react';\n");
writeFileSync(join(work, OUR_RELATIVE_MODULE), "export * from '@kull/sync-react';\n");
writeFileSync(join(work, 'blocks/lib/queryClient.ts'), APP_RELATIVE_STUB);
writeFileSync(join(work, 'app-stubs.d.ts'), APP_STUBS);
const paths = Object.fromEntries(OUR_MODULE_PATHS.map((path) => [path, ['./sdk.ts']]));
writeFileSync(join(work, 'tsconfig.json'), JSON.stringify({ compilerOptions: { jsx: 'react-jsx', baseUrl: '.', paths } }, null, 2));
const fileOf = (block: Block) => join(work, 'blocks', `${block.seed.slice(0, 3)}-${block.index}.tsx`);
const preludes = new Map<string, number>();
for (const block of checked) {
  const { source, preludeLines } = moduleSource(block);
  writeFileSync(fileOf(block), source);
  preludes.set(fileOf(block), preludeLines);
}

// ---- type-check -------------------------------------------------------------------------------------------------

describe('the seeds\' code blocks that use our APIs', () => {
  it('are found: every seed with web code contributes blocks (seeds 000, 001, 003, 004)', () => {
    const bySeed = new Map<string, number[]>();
    for (const block of checked) bySeed.set(block.seed.slice(0, 3), [...(bySeed.get(block.seed.slice(0, 3)) ?? []), block.index]);
    console.log(`checking ${checked.length} of ${blocks.length} TypeScript blocks:`, JSON.stringify(Object.fromEntries(bySeed)));
    expect([...bySeed.keys()].sort()).toEqual(['000', '001', '003', '004']);
    expect(checked.length).toBeGreaterThanOrEqual(20);
  });

  it('type-check as written against the built packages', () => {
    const program = ts.createProgram([...checked.map(fileOf), join(work, 'app-stubs.d.ts')], {
      ...COMPILER_OPTIONS, baseUrl: work, paths,
    });
    const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      if (!diagnostic.file || diagnostic.start === undefined) return text;
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      const file = diagnostic.file.fileName;
      const block = checked.find((b) => resolve(fileOf(b)) === resolve(file));
      const where = block ? `seed ${block.seed} block ${block.index}, line ${line + 1 - (preludes.get(fileOf(block)) ?? 0)}`
        : relative(clients, file);
      return `${where}: ${text}`;
    });
    expect(problems).toEqual([]);
  }, 120_000);
});

// ---- run ----------------------------------------------------------------------------------------------------------

/**
 * Compiles seed source to a module and imports it: the paths the seeds import our hooks from resolve to
 * @kull/sync-react (as the tsconfig paths of the check do), React and the packages come from node_modules.
 */
async function load(name: string, source: string): Promise<Record<string, unknown>> {
  let js = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, jsx: ts.JsxEmit.ReactJSX },
  }).outputText;
  for (const path of OUR_MODULE_PATHS) js = js.replaceAll(`from '${path}'`, "from '@kull/sync-react'");
  const file = join(work, 'blocks', `${name}.mjs`);
  writeFileSync(file, js);
  return import(pathToFileURL(file).href);
}

const block = (seed: string, index: number): Block => {
  const found = blocks.find((b) => b.seed.startsWith(seed) && b.index === index);
  if (!found) throw new Error(`seed ${seed} has no TypeScript block ${index}: the seed changed, update this test`);
  return found;
};

describe('the seeds\' snippets run', () => {
  afterEach(async () => {
    (await import('@testing-library/react')).cleanup();
    vi.restoreAllMocks();
  });

  it('seed 004: its test mock (<WebSocketContext.Provider value={mockContext}>) renders its MyComponent, which registers handlers', async () => {
    // Option 1's component and the "Mock the Context" test, one module as in the app's test file; Jest's API from vitest.
    const component = moduleSource(block('004', 2)).source.replace(/\nexport \{\};\n$/, '\n');
    const test = moduleSource(block('004', 17)).source;
    const tests: Array<[string, () => void]> = [];
    Object.assign(globalThis, { jest: vi, it: (name: string, fn: () => void) => tests.push([name, fn]), expect });
    try {
      await load('seed-004-test', `${component}\n${test}`);
      expect(tests.map(([name]) => name)).toEqual(['renders with WebSocket']);
      for (const [, fn] of tests) fn();
    } finally {
      Object.assign(globalThis, { it: undefined, jest: undefined, expect: undefined });
    }
  });

  it('seed 001: its UPDATE_PROGRESS message ({ type, payload }) reaches the gateway through the SDK as that payload', async () => {
    // The native snippet writes `ws.send(JSON.stringify({ type, payload }))`; a web app hands the same object to send().
    const frames: string[] = [];
    const { SyncClient } = await import('@kull/sync-client');
    const { fakeSocketFactory } = await import('../packages/sync-client/test/fake-socket.js');
    const sockets = fakeSocketFactory();
    const client = new SyncClient({ url: 'wss://sync.example.com/ws', createSocket: sockets.create, cursorStore: false, watchBrowser: false });
    client.connect();
    await vi.waitFor(() => expect(sockets.count).toBe(1));
    sockets.last.establish();
    const ws = { send: (frame: string) => frames.push(frame) };
    (globalThis as { ws?: unknown }).ws = ws;
    try {
      await load('seed-001-send', `declare const ws: { send(frame: string): void };\n${block('001', 9).code}`);
    } finally {
      delete (globalThis as { ws?: unknown }).ws;
    }
    expect(frames).toHaveLength(1);
    const message = JSON.parse(frames[0]!) as { type: 'UPDATE_PROGRESS'; payload: Record<string, unknown> };
    client.send(message);
    client.close();
    const sent = sockets.last.frames;
    expect(sent).toEqual([{ type: 'UPDATE_PROGRESS', id: expect.any(String), payload: message.payload }]);
    // The gateway's contract for UPDATE_PROGRESS (common-events' JSON Schema): every required field, no other.
    const schema = JSON.parse(readFileSync(join(clients, '../common-events/src/main/resources/schemas/UPDATE_PROGRESS.json'), 'utf8'));
    const payloadSchema = schema.properties.payload as { required: string[]; properties: Record<string, unknown> };
    expect(Object.keys(sent[0]!.payload as object)).toEqual(expect.arrayContaining(payloadSchema.required));
    expect(Object.keys(payloadSchema.properties)).toEqual(expect.arrayContaining(Object.keys(sent[0]!.payload as object)));
  });

  it('seed 000: "Connect from Web App" - its useWebSocket handler logs the new balance of a CREDIT_UPDATE', async () => {
    const { SyncClient } = await import('@kull/sync-client');
    const { SyncProvider } = reactApi;
    const { render, act } = await import('@testing-library/react');
    const { createElement } = await import('react');
    const { fakeSocketFactory } = await import('../packages/sync-client/test/fake-socket.js');
    const sockets = fakeSocketFactory();
    const client = new SyncClient({ url: 'wss://sync.example.com/ws', createSocket: sockets.create, cursorStore: false, watchBrowser: false });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const { MyComponent } = await load('seed-000-connect', `${moduleSource(block('000', 1)).source}\nexport { MyComponent };\n`) as { MyComponent: () => null };
    render(createElement(SyncProvider, { client }, createElement(MyComponent)));
    await vi.waitFor(() => expect(sockets.count).toBe(1));
    act(() => {
      sockets.last.establish();
      sockets.last.serverSends({ id: 'e1', type: 'CREDIT_UPDATE', data: { userId: 'user_123', newBalance: 1000, change: 100, reason: 'Test' }, cursor: 'c1' });
    });
    expect(log).toHaveBeenCalledWith('Credits updated:', 1000);
    client.close();
  });
});
