// The data directory holds the admin key, the database and the bundled code:
// only the backend's user may read it. Modes are set with chmod after creating,
// because the modes given to mkdir/open are reduced by the umask.
import fs from "node:fs";
import path from "node:path";

const PRIVATE_DIR = 0o700;
export const PRIVATE_FILE = 0o600;

export function privateDir(dir: string) {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  fs.chmodSync(dir, PRIVATE_DIR);
}

export function writePrivateFile(file: string, data: string) {
  fs.writeFileSync(file, data, { mode: PRIVATE_FILE });
  fs.chmodSync(file, PRIVATE_FILE);
}

/** Restricts `file` to its owner if it exists. */
export function makeFilePrivate(file: string) {
  try {
    fs.chmodSync(file, PRIVATE_FILE);
  } catch (err: any) {
    if (err?.code !== "ENOENT") throw err;
  }
}

/** Restricts a directory tree to its owner. */
export function makePrivate(dir: string) {
  fs.chmodSync(dir, PRIVATE_DIR);
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, ent.name);
    if (ent.isDirectory()) makePrivate(full);
    else fs.chmodSync(full, PRIVATE_FILE);
  }
}
