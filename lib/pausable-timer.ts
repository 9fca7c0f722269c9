/** A timeout that can be paused and resumed: it fires once `ms` of running time have passed. */
export class PausableTimer {
  private timer: NodeJS.Timeout | undefined;
  private remainingMs: number;
  private resumedAt = 0;
  private cleared = false;

  constructor(
    ms: number,
    private readonly onFire: () => void,
  ) {
    this.remainingMs = ms;
    this.resume();
  }

  pause(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remainingMs -= Date.now() - this.resumedAt;
  }

  resume(): void {
    if (this.timer || this.cleared) return;
    this.resumedAt = Date.now();
    this.timer = setTimeout(
      () => {
        this.cleared = true;
        this.onFire();
      },
      Math.max(0, this.remainingMs),
    );
  }

  /** Running time still left before it fires. */
  remaining(): number {
    return Math.max(0, this.remainingMs - (this.timer ? Date.now() - this.resumedAt : 0));
  }

  clear(): void {
    this.pause(); // what ran until now stays counted in remaining()
    this.cleared = true;
  }
}
