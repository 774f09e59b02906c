import { describe, expect, it } from "vitest";
import { Contact } from "../../../core/zab/index.ts";

describe("Contact", () => {
  it("holds for limitMs after the last answer heard, and not a moment longer", () => {
    const contact = new Contact(1000, 0);
    expect(contact.inContact(1000)).toBe(true);
    expect(contact.inContact(1001)).toBe(false);
    contact.heard(1500);
    expect(contact.inContact(2500)).toBe(true);
    expect(contact.silentMs(2600)).toBe(1100);
    expect(contact.inContact(2600)).toBe(false);
  });

  it("is not set back by an answer reported late", () => {
    const contact = new Contact(1000, 0);
    contact.heard(900);
    contact.heard(400);
    expect(contact.silentMs(1000)).toBe(100);
  });
});
