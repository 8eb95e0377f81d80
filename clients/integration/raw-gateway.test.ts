// The harness itself, with a raw WebSocket (the `ws` package, no SDK): the stack starts, the balancer spreads
// connections over the pods, a credit update posted to credit-service reaches the device with a cursor, a
// cursor resumes on another pod, and a bad token is refused at the upgrade.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { startStack, type Stack } from './stack.js';

interface Frame {
  type: string;
  data?: any;
  cursor?: string;
  [field: string]: unknown;
}

/** A raw device: collects every frame; `next(type)` waits for the next frame of that type. */
class RawDevice {
  readonly frames: Frame[] = [];
  private waiters: (() => void)[] = [];
  closed: { code: number; reason: string } | undefined;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      this.frames.push(JSON.parse(raw.toString()));
      this.waiters.splice(0).forEach((wake) => wake());
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.waiters.splice(0).forEach((wake) => wake());
    });
  }

  static open(url: string, options: WebSocket.ClientOptions = {}): Promise<RawDevice> {
    return new Promise((done, fail) => {
      const ws = new WebSocket(url, options);
      const device = new RawDevice(ws);
      ws.once('open', () => done(device));
      ws.once('error', fail);
      ws.once('unexpected-response', (_request, response) =>
        fail(new Error(`upgrade refused ${response.statusCode} ${response.headers['x-sync-auth-error'] ?? ''}`)));
    });
  }

  async waitFor(predicate: (frames: Frame[]) => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.frames)) {
      if (Date.now() > deadline) throw new Error(`timed out; frames: ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await new Promise<void>((wake) => {
        this.waiters.push(wake);
        setTimeout(wake, 200);
      });
    }
  }

  of(type: string): Frame[] {
    return this.frames.filter((frame) => frame.type === type);
  }

  close(): void {
    this.ws.terminate();
  }
}

describe('stack harness (raw WebSocket)', () => {
  let stack: Stack;

  beforeAll(async () => {
    const started = Date.now();
    stack = await startStack({ name: 'raw', gateways: 2 });
    console.log(`raw stack ready in ${Date.now() - started} ms`);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('spreads connections over the pods and delivers a credit update with a cursor', async () => {
    const url = `${stack.balancerUrl}?token=${stack.token('raw-u1', 'd1')}`;
    const first = await RawDevice.open(url);
    const second = await RawDevice.open(`${stack.balancerUrl}?token=${stack.token('raw-u1', 'd2')}`);
    await first.waitFor((frames) => frames.some((f) => f.type === 'CONNECTION_ESTABLISHED'));
    await second.waitFor((frames) => frames.some((f) => f.type === 'CONNECTION_ESTABLISHED'));
    const pods = [first, second].map((device) => device.of('CONNECTION_ESTABLISHED')[0]!.data.pod);
    expect(new Set(pods)).toEqual(new Set(['gateway-a', 'gateway-b']));
    expect(stack.balancer.connections().map((c) => c.podId).sort()).toEqual(['gateway-a', 'gateway-b']);

    await stack.publishCredit('raw-u1', 100, 100, 'seq 1');
    for (const device of [first, second]) {
      await device.waitFor((frames) => frames.some((f) => f.type === 'CREDIT_UPDATE'));
      const [update] = device.of('CREDIT_UPDATE');
      expect(update!.data).toMatchObject({ userId: 'raw-u1', newBalance: 100, change: 100, reason: 'seq 1' });
      expect(update!.cursor).toMatch(/~/);
    }
    first.close();
    second.close();
  });

  it('resumes from a cursor on the other pod: exactly the missed events, then PENDING_CHECK_COMPLETE', async () => {
    const device = await RawDevice.open(`${stack.gateways[0]!.wsUrl}?token=${stack.token('raw-u2', 'd1')}`);
    await stack.publishCredit('raw-u2', 1, 1, 'seq 1');
    await device.waitFor((frames) => frames.some((f) => f.type === 'CREDIT_UPDATE'));
    const cursor = device.of('CREDIT_UPDATE')[0]!.cursor!;
    device.close();

    await stack.publishCredit('raw-u2', 2, 1, 'seq 2');
    await stack.publishCredit('raw-u2', 3, 1, 'seq 3');
    const resumed = await RawDevice.open(
      `${stack.gateways[1]!.wsUrl}?token=${stack.token('raw-u2', 'd1')}&cursor=${encodeURIComponent(cursor)}`);
    await resumed.waitFor((frames) => frames.some((f) => f.type === 'PENDING_CHECK_COMPLETE'));
    const established = resumed.of('CONNECTION_ESTABLISHED')[0]!;
    expect(established.data).toMatchObject({ resumed: true, pod: 'gateway-b' });
    expect(resumed.of('CREDIT_UPDATE').map((f) => f.data.reason)).toEqual(['seq 2', 'seq 3']);
    expect(resumed.of('PENDING_CHECK_COMPLETE')[0]!.data).toMatchObject({ delivered: 2 });
    resumed.close();
  });

  it('offers permessage-deflate as browsers do and gets no extension: the gateway does not compress', async () => {
    // The control: this client negotiates the extension with a server that accepts it.
    const accepting = new WebSocketServer({ port: 0, perMessageDeflate: true });
    await new Promise((listening) => accepting.once('listening', listening));
    const control = await RawDevice.open(`ws://127.0.0.1:${(accepting.address() as AddressInfo).port}`,
      { perMessageDeflate: true });
    expect(control.ws.extensions).toMatch(/^permessage-deflate/);
    control.close();
    await new Promise((closed) => accepting.close(closed));

    const device = await RawDevice.open(`${stack.gateways[0]!.wsUrl}?token=${stack.token('raw-u5', 'd1')}`,
      { perMessageDeflate: true });
    expect(device.ws.extensions).toBe('');
    await device.waitFor((frames) => frames.some((f) => f.type === 'CONNECTION_ESTABLISHED'));
    await stack.publishCredit('raw-u5', 5, 5, 'plain');
    await device.waitFor((frames) => frames.some((f) => f.type === 'CREDIT_UPDATE'));
    expect(device.of('CREDIT_UPDATE')[0]!.data).toMatchObject({ userId: 'raw-u5', newBalance: 5, reason: 'plain' });
    device.close();
  });

  it('negotiates permessage-deflate with a pod that has it switched on: both directions compressed', async () => {
    const pod = await stack.startGateway('gateway-deflate',
      { QUARKUS_WEBSOCKETS_NEXT_SERVER_PER_MESSAGE_COMPRESSION_SUPPORTED: 'true' }, { balanced: false });
    // threshold 0: this client compresses every message it sends, even a PING.
    const device = await RawDevice.open(`${pod.wsUrl}?token=${stack.token('raw-u6', 'd1')}`,
      { perMessageDeflate: { threshold: 0 } });
    expect(device.ws.extensions).toMatch(/^permessage-deflate/);
    await device.waitFor((frames) => frames.some((f) => f.type === 'CONNECTION_ESTABLISHED'));
    device.ws.send(JSON.stringify({ type: 'PING' }));
    await device.waitFor((frames) => frames.some((f) => f.type === 'PONG'));

    const socket = (device.ws as unknown as { _socket: { bytesRead: number } })._socket;
    const readBefore = socket.bytesRead;
    for (let i = 1; i <= 5; i++) await stack.publishCredit('raw-u6', i, 1, `deflated ${i}`);
    await device.waitFor((frames) => device.of('CREDIT_UPDATE').length === 5);
    expect(device.of('CREDIT_UPDATE').map((f) => f.data.reason)).toEqual([1, 2, 3, 4, 5].map((i) => `deflated ${i}`));
    const plainBytes = device.of('CREDIT_UPDATE').reduce((sum, f) => sum + JSON.stringify(f).length, 0);
    expect(socket.bytesRead - readBefore).toBeLessThan(plainBytes * 0.7);
    device.close();
  });

  it('refuses an expired or forged token at the upgrade with 401', async () => {
    const expired = stack.token('raw-u3', 'd1', { expiresInSeconds: -300 });
    await expect(RawDevice.open(`${stack.balancerUrl}?token=${expired}`)).rejects.toThrow(/401/);
    const forged = stack.token('raw-u3', 'd1').slice(0, -4) + 'AAAA';
    await expect(RawDevice.open(`${stack.balancerUrl}?token=${forged}`)).rejects.toThrow(/401/);
  });

  it('cutting the TCP connection at the balancer closes the client with 1006', async () => {
    const device = await RawDevice.open(`${stack.balancerUrl}?token=${stack.token('raw-u4', 'd1')}`);
    await device.waitFor((frames) => frames.some((f) => f.type === 'CONNECTION_ESTABLISHED'));
    expect(stack.balancer.cut()).toBeGreaterThanOrEqual(1);
    await device.waitFor(() => device.closed !== undefined);
    expect(device.closed!.code).toBe(1006);
  });
});
