import { SyncError } from './types.js';

/** What the gateway said about a message sent with an id (see `SyncClient.deliver`). */
export interface Receipt {
  id: string;
  /** The gateway had stored this id before (a re-send after a lost RECEIVED): applied once all the same. */
  duplicate: boolean;
  /**
   * True when the gateway answered RECEIVED: the message is durable. False when it was written to a gateway that
   * does not confirm messages (one without message ids): sent once, not confirmed.
   */
  confirmed: boolean;
}

interface Entry {
  frame: string;
  /** Set for messages the gateway confirms with RECEIVED {id}; control messages have none. */
  id: string | undefined;
  /** Written on the current connection and waiting for RECEIVED. */
  sent: boolean;
  sentAt: number;
  settle: ((receipt: Receipt | SyncError) => void) | undefined;
}

/**
 * The client's messages until the gateway has them: waiting to be written (while disconnected, or while a backlog
 * drains) and, for messages with an id, written but not yet answered with RECEIVED. At most `limit()` wait to be
 * written; beyond that the oldest is dropped (`onDrop`). Messages awaiting RECEIVED do not count while the
 * connection lasts; when it is lost they wait to be written again (same frame, same id) and count.
 */
export class Outbox {
  private entries: Entry[] = [];

  constructor(private readonly limit: () => number, private readonly onDrop: (error: SyncError) => void) {}

  add(frame: string, id: string | undefined, settle?: (receipt: Receipt | SyncError) => void): void {
    this.entries.push({ frame, id, sent: false, sentAt: 0, settle });
    this.enforceLimit();
  }

  /** The oldest message waiting to be written. */
  next(): Entry | undefined {
    return this.entries.find((entry) => !entry.sent);
  }

  hasWaiting(): boolean {
    return this.next() !== undefined;
  }

  /** Written to the socket: a message with an id now waits for RECEIVED, unless the gateway does not confirm. */
  written(entry: Entry, now: number, confirms: boolean): void {
    if (entry.id !== undefined && confirms) {
      entry.sent = true;
      entry.sentAt = now;
    } else {
      this.remove(entry);
      if (entry.id !== undefined) entry.settle?.({ id: entry.id, duplicate: false, confirmed: false });
    }
  }

  /** RECEIVED {id, duplicate}: the message is durable. @returns whether it was one of ours */
  received(id: string, duplicate: boolean): boolean {
    const entry = this.entries.find((candidate) => candidate.id === id);
    if (!entry) return false;
    this.remove(entry);
    entry.settle?.({ id, duplicate, confirmed: true });
    return true;
  }

  /** Messages written with an id and unanswered, in order (to match an ERROR's reason or a timeout). */
  unanswered(): Entry[] {
    return this.entries.filter((entry) => entry.sent);
  }

  /** Writes the message again (same frame, same id) with the next drain. */
  retry(entry: Entry): void {
    entry.sent = false;
  }

  /** The connection is gone: everything unanswered is written again after the reconnect. */
  connectionLost(): void {
    this.entries.forEach((entry) => this.retry(entry));
    this.enforceLimit();
  }

  /** The gateway does not confirm messages: what it was sent counts as sent once, as before message ids. */
  unconfirmable(): void {
    this.unanswered().forEach((entry) => this.written(entry, 0, false));
  }

  /** Closed 1009: the largest message awaiting RECEIVED was the one too big; it is never written again. */
  dropLargestUnanswered(error: SyncError): void {
    const largest = this.unanswered().sort((a, b) => b.frame.length - a.frame.length)[0];
    if (!largest) return;
    this.remove(largest);
    largest.settle?.(error);
  }

  private enforceLimit(): void {
    let waiting = this.entries.filter((entry) => !entry.sent).length;
    while (waiting-- > this.limit()) {
      const oldest = this.next()!;
      this.remove(oldest);
      const error = new SyncError('send-dropped', `send buffer full while disconnected; dropped ${oldest.frame.slice(0, 80)}`);
      this.onDrop(error);
      oldest.settle?.(error);
    }
  }

  private remove(entry: Entry): void {
    this.entries = this.entries.filter((candidate) => candidate !== entry);
  }
}
