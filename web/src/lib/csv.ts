import Papa from "papaparse";

// Every CSV the dashboard offers (purchase orders, the comparison table, the
// audit log) is written here, by papaparse: quoting, escaping and line ends
// are the library's, not ours. escapeFormulae: a cell a supplier or buyer
// wrote that starts with = + - @ opens as text in a spreadsheet, never as a formula.

export type CsvCell = string | number | boolean | null | undefined;

/** RFC 4180 text, CRLF line ends, a header row first. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return Papa.unparse({ fields: [...header], data: rows.map((r) => r.map((c) => (c === null || c === undefined ? "" : c))) }, { newline: "\r\n", escapeFormulae: true });
}

/** Has the browser save `content` as a file named `filename`. */
export function downloadFile(filename: string, mime: string, content: BlobPart): void {
  const url = URL.createObjectURL(new Blob([content], { type: mime }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
