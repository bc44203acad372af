// CSV cells are read as Convex's import reads them (parse_csv_cell): a cell
// that Rust's f64::from_str takes is a number, anything else the string as
// written, spaces and all; header names lose the spaces around them only.
import { describe, expect, it } from "vitest";
import { parseImport } from "../../src/local-backend/snapshot.js";

const rowsOf = (csv: string) => parseImport(new TextEncoder().encode(csv), "csv", "t").tables[0]!.rows as Record<string, unknown>[];

describe("CSV import cells", () => {
  it("reads what f64::from_str takes as numbers", () => {
    const cells = ["5", "-5", "+5", "4.5", "5.", ".5", "1e3", "1E-2", "inf", "-Infinity", "NaN"];
    const [row] = rowsOf(`${cells.map((_, i) => `c${i}`).join(",")}\n${cells.join(",")}\n`);
    expect(Object.values(row!)).toEqual([5, -5, 5, 4.5, 5, 0.5, 1000, 0.01, Infinity, -Infinity, NaN]);
  });

  it("keeps everything else as the string written: surrounding spaces, empty cells, hex, separators", () => {
    const cells = [" 5", "5 ", "", "0x10", "1_000", "1,5", "five", "e5", "."];
    const [row] = rowsOf(`${cells.map((_, i) => `c${i}`).join(",")}\n${cells.map((c) => (c.includes(",") ? `"${c}"` : c)).join(",")}\n`);
    expect(Object.values(row!)).toEqual(cells);
  });

  it("trims spaces around header names, and refuses a header that is still not a field name", () => {
    expect(rowsOf("  name  , age\nAda,36\n")).toEqual([{ name: "Ada", age: 36 }]);
    expect(() => rowsOf("\tname\nAda\n")).toThrow(/isn't a valid field name/);
  });
});
