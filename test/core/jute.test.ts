import { describe, expect, it } from "vitest";
import { JuteReader, JuteWriter } from "../../core/jute.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function written(write: (w: JuteWriter) => void): Uint8Array {
  const w = new JuteWriter(1);
  write(w);
  return w.bytes().slice();
}

describe("JuteWriter", () => {
  it("writes big-endian ints and longs, one-byte booleans", () => {
    expect(hex(written((w) => w.writeInt(1)))).toBe("00000001");
    expect(hex(written((w) => w.writeInt(-2)))).toBe("fffffffe");
    expect(hex(written((w) => w.writeLong(-1)))).toBe("ffffffffffffffff");
    expect(hex(written((w) => w.writeLong(0x1_0000_0002)))).toBe("0000000100000002");
    expect(hex(written((w) => w.writeLong(Number.MAX_SAFE_INTEGER)))).toBe("001fffffffffffff");
    expect(hex(written((w) => w.writeLong(-(2 ** 40) - 3)))).toBe("fffffefffffffffd");
    expect(hex(written((w) => w.writeBigLong(0x8000_0000_0000_0000n)))).toBe("8000000000000000");
    expect(hex(written((w) => w.writeBigLong(-2n)))).toBe("fffffffffffffffe");
    expect(hex(written((w) => w.writeBool(true)))).toBe("01");
    expect(hex(written((w) => w.writeDouble(1.5)))).toBe("3ff8000000000000");
  });

  it("writes buffers and strings with an int length, -1 for null", () => {
    expect(hex(written((w) => w.writeBuffer(new Uint8Array([7, 8]))))).toBe("000000020708");
    expect(hex(written((w) => w.writeBuffer(null)))).toBe("ffffffff");
    expect(hex(written((w) => w.writeString("ab")))).toBe("000000026162");
    expect(hex(written((w) => w.writeString("é")))).toBe("00000002c3a9");
    expect(hex(written((w) => w.writeString("a😀")))).toBe("0000000561f09f9880");
    expect(hex(written((w) => w.writeString(null)))).toBe("ffffffff");
    expect(hex(written((w) => w.writeString("")))).toBe("00000000");
  });

  it("writes vectors as a count and the items, -1 for null", () => {
    expect(hex(written((w) => w.writeVector([1, 2], (x, v) => x.writeInt(v))))).toBe(
      "000000020000000100000002",
    );
    expect(hex(written((w) => w.writeVector(null, (x, v: number) => x.writeInt(v))))).toBe("ffffffff");
  });

  it("grows as it goes, keeping what it wrote, also when a string turns non-ASCII late", () => {
    const w = new JuteWriter(1);
    const long = `${"a".repeat(5000)}é${"b".repeat(5000)}`;
    for (let i = 0; i < 1000; i++) w.writeInt(i);
    w.writeString(long);
    w.writeBuffer(new Uint8Array(70_000).fill(9));
    const r = new JuteReader(w.bytes());
    for (let i = 0; i < 1000; i++) expect(r.readInt()).toBe(i);
    expect(r.readString()).toBe(long);
    expect(r.readBuffer()).toEqual(new Uint8Array(70_000).fill(9));
    r.expectEnd();
    expect(r.error).toBeUndefined();
  });

  it("patches an int in place", () => {
    const w = new JuteWriter();
    w.writeInt(0);
    w.writeString("xyz");
    w.writeIntAt(0, w.length - 4);
    expect(hex(w.bytes())).toBe("000000070000000378797a");
  });
});

describe("JuteReader", () => {
  it("readBuffer copies even from a node Buffer, whose slice would share the socket's memory", () => {
    const w = new JuteWriter();
    w.writeBuffer(new Uint8Array([7, 8, 9]));
    const frame = Buffer.from(w.bytes());
    const copy = new JuteReader(frame).readBuffer()!;
    frame.fill(0);
    expect([...copy]).toEqual([7, 8, 9]);
  });

  it("reads back every type", () => {
    const w = new JuteWriter();
    w.writeByte(200);
    w.writeBool(false);
    w.writeBool(true);
    w.writeInt(-123456);
    w.writeLong(-5);
    w.writeLong(2 ** 52 + 1);
    w.writeBigLong(0xff00_0000_0000_1388n);
    w.writeDouble(-0.25);
    w.writeBuffer(new Uint8Array([1, 2, 3]));
    w.writeBuffer(null);
    w.writeString("zk/é/😀");
    w.writeString(null);
    w.writeBinaryString("\u0000\u00ff\u0080abc");
    w.writeVector(["x", "y"], (x, s) => x.writeString(s));
    w.writeVector(null, (x, s: string) => x.writeString(s));
    const r = new JuteReader(w.bytes());
    expect(r.readByte()).toBe(200);
    expect(r.readBool()).toBe(false);
    expect(r.readBool()).toBe(true);
    expect(r.readInt()).toBe(-123456);
    expect(r.readLong()).toBe(-5);
    expect(r.readLong()).toBe(2 ** 52 + 1);
    expect(BigInt.asUintN(64, r.readBigLong())).toBe(0xff00_0000_0000_1388n);
    expect(r.readDouble()).toBe(-0.25);
    expect(r.readBuffer()).toEqual(new Uint8Array([1, 2, 3]));
    expect(r.readBuffer()).toBeNull();
    expect(r.readString()).toBe("zk/é/😀");
    expect(r.readString()).toBeNull();
    expect(r.readBinaryString()).toBe("\u0000\u00ff\u0080abc");
    expect(r.readVector((x) => x.readString())).toEqual(["x", "y"]);
    expect(r.readVector((x) => x.readString())).toBeNull();
    expect(r.remaining).toBe(0);
    r.expectEnd();
    expect(r.error).toBeUndefined();
  });

  it("replaces malformed UTF-8 as Java's String constructor does", () => {
    const r = new JuteReader(new Uint8Array([0, 0, 0, 2, 0xc3, 0x28]));
    expect(r.readString()).toBe("\ufffd(");
    expect(r.error).toBeUndefined();
  });

  it("copies buffers out of the input, or lends a view when asked", () => {
    const input = written((w) => {
      w.writeBuffer(new Uint8Array([1]));
      w.writeBuffer(new Uint8Array([2]));
    });
    const r = new JuteReader(input);
    const copy = r.readBuffer()!;
    const view = r.readBufferView()!;
    input[4] = 9;
    input[9] = 9;
    expect(copy[0]).toBe(1);
    expect(view[0]).toBe(9);
  });

  it("reads from a view at an offset into a larger buffer", () => {
    const outer = new Uint8Array(12);
    outer.set([0, 0, 0, 0, 0, 0, 0, 42], 4);
    const r = new JuteReader(outer.subarray(4));
    expect(r.readLong()).toBe(42);
  });

  it("reports a MarshallingError on truncation of every type, without throwing", () => {
    const reads: [string, (r: JuteReader) => unknown, number[]][] = [
      ["byte", (r) => r.readByte(), []],
      ["int", (r) => r.readInt(), [0, 0, 1]],
      ["long", (r) => r.readLong(), [0, 0, 0, 0, 0, 0, 1]],
      ["bigLong", (r) => r.readBigLong(), [1]],
      ["double", (r) => r.readDouble(), [1, 2]],
      ["buffer length", (r) => r.readBuffer(), [0, 0]],
      ["buffer bytes", (r) => r.readBuffer(), [0, 0, 0, 3, 1, 2]],
      ["string bytes", (r) => r.readString(), [0, 0, 0, 9, 0x61]],
      ["binary string", (r) => r.readBinaryString(), [0, 0, 0, 2, 0x61]],
      ["vector items", (r) => r.readVector((x) => x.readInt(), 4), [0, 0, 0, 2, 0, 0, 0, 1]],
    ];
    for (const [name, read, input] of reads) {
      const r = new JuteReader(new Uint8Array(input));
      expect(() => read(r), name).not.toThrow();
      expect(r.error, name).toMatchObject({ code: "MarshallingError", zkCode: -5 });
      expect(r.error?.message, name).toMatch(/truncated/);
    }
  });

  it("refuses negative lengths and counts larger than what is left", () => {
    for (const input of [
      [0xff, 0xff, 0xff, 0xfe],
      [0x7f, 0xff, 0xff, 0xff, 1, 2],
    ]) {
      const r = new JuteReader(new Uint8Array(input));
      expect(r.readBuffer()).toBeNull();
      expect(r.error?.code).toBe("MarshallingError");
    }
    const huge = new JuteReader(new Uint8Array([0x7f, 0xff, 0xff, 0xff, 0]));
    expect(huge.readVector((x) => x.readByte())).toEqual([]);
    expect(huge.error?.message).toMatch(/vector/);
    const negative = new JuteReader(new Uint8Array([0xff, 0xff, 0xff, 0xf0]));
    expect(negative.readVectorLength()).toBe(0);
    expect(negative.error?.message).toMatch(/negative/);
  });

  it("refuses a long outside the safe integer range when a number is asked for", () => {
    const r = new JuteReader(written((w) => w.writeBigLong(2n ** 60n)));
    expect(r.readLong()).toBe(0);
    expect(r.error?.message).toMatch(/safe integer/);
  });

  it("keeps the first failure and reads nothing after it", () => {
    const r = new JuteReader(new Uint8Array([0, 0, 0, 5, 1, 2, 3, 4, 5, 6, 7, 8]));
    r.fail("bad tag");
    expect(r.readInt()).toBe(0);
    expect(r.readString()).toBe("");
    expect(r.error?.message).toMatch(/^bad tag/);
    expect(r.remaining).toBe(0);
  });

  it("expectEnd fails on trailing bytes", () => {
    const r = new JuteReader(new Uint8Array([0, 0, 0, 1, 9]));
    r.readInt();
    r.expectEnd();
    expect(r.error?.message).toMatch(/1 unexpected trailing byte/);
  });
});
