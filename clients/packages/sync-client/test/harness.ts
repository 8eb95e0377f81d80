import { vi } from 'vitest';
import { SyncClient, type StateChange, type SyncClientOptions, type SyncError } from '../src/index.js';
import { fakeSocketFactory, flush, type EstablishOptions, type FakeSocket } from './fake-socket.js';

export const URL_BASE = 'wss://sync.example.com/ws';
/** Just under 1: full jitter then gives the ceiling (Math.round(ceiling * ALMOST_ONE) === ceiling). */
export const ALMOST_ONE = 1 - 1e-9;
export const T0 = new Date('2026-01-01T00:00:00.000Z').getTime();

export function useClock(): void {
  vi.useFakeTimers({ now: T0 });
}

/** A client on fake sockets, with a settable random source and every state change and error recorded. */
export function setup(overrides: Partial<SyncClientOptions> = {}, randomValue = 0.5) {
  const factory = fakeSocketFactory();
  const rnd = { value: randomValue };
  const states: StateChange[] = [];
  const errors: SyncError[] = [];
  const client = new SyncClient({
    url: URL_BASE,
    createSocket: factory.create,
    random: () => rnd.value,
    // These tests are about the WebSocket's behaviour; the SSE fallback has its own (sse.test.ts).
    transport: 'websocket',
    ...overrides,
  });
  client.onStateChange((change) => states.push(change));
  client.onError((error) => errors.push(error));

  /** connect() and wait for the socket. */
  const start = async (): Promise<FakeSocket> => {
    client.connect();
    await flush();
    return factory.last;
  };
  /** connect() and CONNECTION_ESTABLISHED. */
  const connected = async (options: EstablishOptions = {}): Promise<FakeSocket> => {
    const socket = await start();
    socket.establish(options);
    return socket;
  };
  const lastState = (): StateChange => {
    const change = states[states.length - 1];
    if (!change) throw new Error('no state change yet');
    return change;
  };
  return { client, factory, rnd, states, errors, start, connected, lastState, sockets: factory.sockets };
}

/** Advances the fake clock (firing timers) and lets the promises they started settle. */
export async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await flush();
}

export { flush };
