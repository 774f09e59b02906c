import { describe, expect, it } from "vitest";
import { Availability } from "../../member/availability.ts";

function availability(limitMs = 1000) {
  let now = 0;
  const logged: string[] = [];
  const a = new Availability(
    limitMs,
    (event) => logged.push(event),
    () => now,
  );
  const changes: boolean[] = [];
  a.onChange((serving) => changes.push(serving));
  return { a, logged, changes, at: (ms: number) => (now = ms) };
}

describe("Availability", () => {
  it("serves once recovered, until it has heard nothing for the contact limit, and again once it hears", () => {
    const { a, logged, changes, at } = availability();
    expect(a.unavailable()).toBe("this member is still recovering");
    a.recovered();
    expect(a.unavailable()).toBeUndefined();
    at(1000);
    a.check();
    expect(a.unavailable()).toBeUndefined();
    at(1500);
    expect(a.unavailable()).toMatch(/heard neither its leader nor JetStream for 1500 ms/);
    a.check();
    a.check();
    a.heard();
    a.check();
    expect(changes).toEqual([false, true]);
    expect(logged).toEqual(["stopped serving", "serving again"]);
  });

  it("serves nothing once closed", () => {
    const { a } = availability();
    a.recovered();
    a.close();
    expect(a.unavailable()).toBe("this member is closed");
  });
});
