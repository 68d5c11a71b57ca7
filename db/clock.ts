// The emulator's clock. Everything time-dependent (token expiry, duplicate-post and rate
// windows, timestamps of new rows) reads it, so tests can set or advance time.
export class Clock {
  private offsetMs = 0;
  private frozenAt: number | null = null;

  nowMs(): number {
    return this.frozenAt ?? Date.now() + this.offsetMs;
  }
  /** Unix seconds. */
  now(): number {
    return Math.floor(this.nowMs() / 1000);
  }
  advance(seconds: number): void {
    if (this.frozenAt !== null) this.frozenAt += seconds * 1000;
    else this.offsetMs += seconds * 1000;
  }
  set(unixSeconds: number, freeze = false): void {
    if (freeze) this.frozenAt = unixSeconds * 1000;
    else {
      this.frozenAt = null;
      this.offsetMs = unixSeconds * 1000 - Date.now();
    }
  }
  reset(): void {
    this.offsetMs = 0;
    this.frozenAt = null;
  }
}
