// The Effective config view's refresh: once edits pause, never while a render is in flight; time is
// stepped by hand (no sleeps).
import assert from "node:assert/strict";
import { test } from "node:test";

import { RefreshGate, type Timers } from "../src/refreshGate";

class ManualTimers implements Timers {
  now = 0;
  private next = 0;
  private readonly due = new Map<number, { at: number; callback: () => void }>();

  set(callback: () => void, ms: number): unknown {
    this.next += 1;
    this.due.set(this.next, { at: this.now + ms, callback });
    return this.next;
  }

  clear(handle: unknown): void {
    this.due.delete(handle as number);
  }

  advance(ms: number): void {
    this.now += ms;
    for (const [handle, { at, callback }] of [...this.due]) {
      if (at <= this.now) {
        this.due.delete(handle);
        callback();
      }
    }
  }
}

function gate(): { gate: RefreshGate; timers: ManualTimers; fired: string[] } {
  const timers = new ManualTimers();
  const fired: string[] = [];
  return { gate: new RefreshGate((key) => fired.push(key), 300, timers), timers, fired };
}

test("a burst of edits refreshes once, 300 ms after the last, per document", () => {
  const { gate: g, timers, fired } = gate();
  for (let i = 0; i < 20; i += 1) {
    g.changed("a.yaml");
    timers.advance(50);
  }
  g.changed("b.yaml");
  assert.deepEqual(fired, []);
  timers.advance(250);
  assert.deepEqual(fired, ["a.yaml"]);
  timers.advance(50);
  assert.deepEqual(fired, ["a.yaml", "b.yaml"]);
});

test("an edit that comes due during a render refreshes once the render ends, not before", async () => {
  const { gate: g, timers, fired } = gate();
  let finish = (): void => undefined;
  const render = g.rendered("a.yaml", () => new Promise<string>((resolve) => (finish = () => resolve("text"))));
  g.changed("a.yaml");
  g.changed("a.yaml");
  timers.advance(1000);
  assert.deepEqual(fired, []);
  finish();
  assert.equal(await render, "text");
  assert.deepEqual(fired, ["a.yaml"]);
});

test("a failed render still lets the next refresh through", async () => {
  const { gate: g, timers, fired } = gate();
  g.changed("a.yaml");
  await assert.rejects(g.rendered("a.yaml", () => Promise.reject(new Error("server gone"))));
  timers.advance(300);
  assert.deepEqual(fired, ["a.yaml"]);
});
