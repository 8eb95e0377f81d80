import { FLAT_TYPES } from './generated/contract.js';
import type { SyncMessage } from './types.js';

/** What a handler receives for a message: the envelope's `data`, or for seed 003's flat org events the event itself. */
export function messagePayload(message: SyncMessage): unknown {
  return FLAT_TYPES.includes(message.type) ? message : message.data;
}

/**
 * A client message as an object, in the two shapes the seeds write:
 * - `{ type, payload }`: the wire form (seed 001, `ws.send(JSON.stringify({ type: 'UPDATE_PROGRESS', payload }))`);
 * - `{ type, ...fields }`: the fields beside `type` are the payload (seed 004, `send({ type, message, timestamp })`).
 */
export type ClientMessageObject = { type: string; payload?: unknown; [field: string]: unknown };

/**
 * The type and payload of a message given as `(type, payload)` or as an object (see ClientMessageObject).
 * @throws TypeError for an object with a `payload` and other fields beside it (which of them is the payload?)
 */
export function toTypeAndPayload(typeOrMessage: string | ClientMessageObject, payload?: unknown): { type: string; payload: unknown } {
  if (typeof typeOrMessage === 'string') return { type: typeOrMessage, payload };
  const { type, ...fields } = typeOrMessage;
  if (typeof type !== 'string') throw new TypeError('send(): a message needs a string `type`');
  if (!('payload' in fields)) return { type, payload: fields };
  const others = Object.keys(fields).filter((field) => field !== 'payload');
  if (others.length > 0) {
    throw new TypeError(`send({ type, payload }) takes no other fields (got ${others.join(', ')}): put them in the payload`);
  }
  return { type, payload: fields.payload };
}
