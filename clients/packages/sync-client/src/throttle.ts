/**
 * Runs `task` at most once per `intervalMs`: at once when it last ran longer ago than that, else once at the end
 * of the interval, however often it was asked for meanwhile. `flush()` runs a pending task now (a tab going
 * hidden, close()). A run that did nothing (the task returned false, e.g. no connection) does not count.
 */
export class Throttle {
  private lastRunAt = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly intervalMs: number, private readonly task: () => boolean) {}

  request(): void {
    if (this.timer) return;
    const wait = this.lastRunAt + this.intervalMs - Date.now();
    if (wait <= 0) {
      this.run();
    } else {
      this.timer = setTimeout(() => this.run(), wait);
    }
  }

  flush(): void {
    if (this.timer) this.run();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    this.cancel();
    if (this.task()) this.lastRunAt = Date.now();
  }
}
