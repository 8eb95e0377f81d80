/**
 * Every default of {@link SyncClientOptions}, stated once: the option types refer here, the client reads
 * these. What the gateway says about itself (its ping interval, message size and rate limits, in
 * CONNECTION_ESTABLISHED) is not copied here: the client follows what each gateway announces.
 */
export const DEFAULTS = {
  /**
   * PING interval (ms) when neither `pingIntervalMs` is set nor the gateway announced `heartbeatIntervalMs`
   * (gateways from before it did).
   */
  pingIntervalMs: 20_000,
  /** No frame for this many ping intervals means the connection is dead (`livenessTimeoutMs`). */
  livenessIntervals: 2.5,
  /** Full-jitter exponential backoff (`backoff`). */
  backoff: {
    minMs: 500,
    maxMs: 30_000,
    /** A connection that lasted this long resets the attempt count. */
    stableAfterMs: 10_000,
    /** After this long without a connection the state becomes `suspended`... */
    suspendAfterMs: 120_000,
    /** ...and retries wait up to this long. */
    suspendedMaxMs: 120_000,
  },
  /** At most one ACK frame per this many ms (`ackIntervalMs`). */
  ackIntervalMs: 1_000,
  /** A message unanswered (no RECEIVED) this long is written again (`receiptTimeoutMs`). */
  receiptTimeoutMs: 10_000,
  /** Messages kept while disconnected (`sendBufferSize`). */
  sendBufferSize: 100,
  /** requestPending() answer timeout (`requestTimeoutMs`). */
  requestTimeoutMs: 10_000,
  /** Event ids remembered to skip duplicates across a reconnect (`dedupeWindow`). */
  dedupeWindow: 1_000,
} as const;

/**
 * The limits of a gateway that does not announce them in CONNECTION_ESTABLISHED (one from before it did):
 * its defaults then. A gateway that announces its own `maxMessageBytes`, `inboundRate` and `inboundBurst`
 * is followed instead.
 */
export const UNANNOUNCED_GATEWAY_LIMITS = { maxMessageBytes: 65_536, inboundRate: 20, inboundBurst: 40 } as const;

/** The share of the gateway's frame rate a backlog drains at, leaving room for PING, ACK and SUBSCRIBE. */
export const DRAIN_RATE_SHARE = 0.75;
