import fs from "node:fs";
import path from "node:path";

// The README's benchmark tables are written by the benchmark runs themselves,
// never copied by hand: each run replaces the table between its markers
// (`<!-- bench:NAME -->` … `<!-- /bench:NAME -->`) with the one it just measured.

const README = path.resolve(import.meta.dirname, "..", "README.md");

export function writeReadmeTable(name: string, table: string): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const text = fs.readFileSync(README, "utf8");
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} markers for this table`);
  fs.writeFileSync(README, `${text.slice(0, from + start.length)}\n${table.trim()}\n${text.slice(to)}`);
  console.log(`README.md: table "${name}" updated`);
}
