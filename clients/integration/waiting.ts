// What the SDK integration tests share besides the stack: waiting on the wall clock and sequence numbers.

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls `predicate` (e.g. a gateway's /q/metrics) every 50 ms; throws naming `what` after `timeoutMs`. */
export async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** from, from + 1, ..., to. */
export const seqs = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
