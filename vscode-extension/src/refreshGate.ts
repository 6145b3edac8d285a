// When a view that follows a document re-renders: once typing pauses, and never while its last render is
// still being computed, so a burst of keystrokes costs the server one render, not one per keystroke.

/** setTimeout and clearTimeout, injectable so tests step time instead of sleeping. */
export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export const QUIET_MS = 300;

export class RefreshGate {
  private readonly waiting = new Map<string, unknown>();
  private readonly rendering = new Set<string>();
  private readonly owed = new Set<string>();

  constructor(
    private readonly fire: (key: string) => void,
    private readonly quietMs = QUIET_MS,
    private readonly timers: Timers = REAL_TIMERS,
  ) {}

  /** The document changed: fire once it has been quiet for `quietMs` and its render is done. */
  changed(key: string): void {
    const previous = this.waiting.get(key);
    if (previous !== undefined) {
      this.timers.clear(previous);
    }
    const handle = this.timers.set(() => {
      this.waiting.delete(key);
      if (this.rendering.has(key)) {
        this.owed.add(key);
      } else {
        this.fire(key);
      }
    }, this.quietMs);
    this.waiting.set(key, handle);
  }

  /** Wraps one render: a change that came due meanwhile fires when it ends. */
  async rendered<T>(key: string, render: () => Promise<T>): Promise<T> {
    this.rendering.add(key);
    try {
      return await render();
    } finally {
      this.rendering.delete(key);
      if (this.owed.delete(key)) {
        this.fire(key);
      }
    }
  }

  dispose(): void {
    for (const handle of this.waiting.values()) {
      this.timers.clear(handle);
    }
    this.waiting.clear();
    this.owed.clear();
  }
}
