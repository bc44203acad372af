import type { Doc } from "../_generated/dataModel";
import type { ErrorCode } from "./errors";

// The rules for files attached to a quote (convex/model/attachments.ts), with
// nothing of the server's in them, so the dashboard imports them too (the
// input's accept list, the type to upload as, the words). The server applies
// them twice: to what the client says before the upload (generateUploadUrl)
// and to the stored file when it is attached. One definition of what a quote takes.

/** The kinds of file a quote takes: by content type, with the name endings each may have. */
export const ATTACHMENT_TYPES = {
  "application/pdf": { label: "PDF", extensions: [".pdf"] },
  "image/png": { label: "PNG image", extensions: [".png"] },
  "image/jpeg": { label: "JPEG image", extensions: [".jpg", ".jpeg"] },
  "image/webp": { label: "WebP image", extensions: [".webp"] },
  "text/plain": { label: "text file", extensions: [".txt"] },
  "text/csv": { label: "CSV file", extensions: [".csv"] },
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { label: "Excel workbook (.xlsx)", extensions: [".xlsx"] },
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": { label: "Word document (.docx)", extensions: [".docx"] },
} as const satisfies Record<string, { label: string; extensions: readonly string[] }>;

export type AttachmentType = keyof typeof ATTACHMENT_TYPES;

export const ATTACHMENT_LIMITS = {
  /** 20 MiB. */
  maxBytes: 20 * 1024 * 1024,
  maxNameLength: 200,
  perQuote: 20,
  /** A stored file older than this was not uploaded for this attach: an upload URL lasts an hour. */
  uploadWindowMs: 60 * 60 * 1000,
} as const;

const LABELS: string[] = Object.values(ATTACHMENT_TYPES).map((type) => type.label);
/** What the kinds read as in a refusal: "PDF, PNG image, … or Word document (.docx)". */
export const KINDS_IN_WORDS = `${LABELS.slice(0, -1).join(", ")} or ${LABELS[LABELS.length - 1]}`;
const withArticle = (label: string) => `${/^[aeiou]/i.test(label) ? "an" : "a"} ${label}`;

/** The `accept` of a file input: every allowed type and name ending. */
export const ATTACHMENT_ACCEPT = Object.entries(ATTACHMENT_TYPES)
  .flatMap(([type, { extensions }]) => [type, ...extensions])
  .join(",");

/** 532 → "532 bytes", 48_213 → "47 KB", 3_500_000 → "3.3 MB" (KB and MB of 1024). */
export function sizeInWords(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? "" : "s"}`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  const mb = bytes / 1024 / 1024;
  return `${mb < 10 ? mb.toFixed(1).replace(/\.0$/, "") : Math.round(mb)} MB`;
}

/** "text/CSV; charset=utf-8" → "text/csv". */
export function baseContentType(contentType: string | undefined | null): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

export const isAllowedType = (type: string): type is AttachmentType => Object.hasOwn(ATTACHMENT_TYPES, type);

/** The ending of a name, lower case, with its dot (".pdf"), or "" without one. */
function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot).toLowerCase() : "";
}

/** The type a file's name says it is ("drawing.PDF" → "application/pdf"), or null for an ending not allowed. */
export function typeForName(name: string): AttachmentType | null {
  const extension = extensionOf(name.trim());
  const found = Object.entries(ATTACHMENT_TYPES).find(([, type]) => (type.extensions as readonly string[]).includes(extension));
  return found ? (found[0] as AttachmentType) : null;
}

// Characters a name may not hold: control characters (C0, DEL, C1), path
// separators, and the invisible ones that make a name read as something else
// (bidirectional overrides and isolates, zero-width characters, the BOM):
// "artwork" + U+202E + "fdp.exe" shows as "artworkexe.pdf".
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const SEPARATOR = /[/\\]/;
const DECEPTIVE = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

export type Problem = { code: ErrorCode; message: string; field: string };
export const problem = (field: string, message: string, code: ErrorCode = "INVALID_ARGUMENT"): Problem => ({ code, message, field });

/** What is wrong with a file's name, or null. The name is taken trimmed. */
export function nameProblem(rawName: string): Problem | null {
  const name = rawName.trim();
  if (name === "") return problem("name", "The file needs a name");
  if (name.length > ATTACHMENT_LIMITS.maxNameLength) {
    return problem("name", `The file's name is ${name.length} characters long; at most ${ATTACHMENT_LIMITS.maxNameLength} are allowed`);
  }
  if (SEPARATOR.test(name)) return problem("name", "The file's name cannot contain / or \\");
  if (CONTROL.test(name) || DECEPTIVE.test(name)) {
    return problem("name", "The file's name contains invisible or control characters: rename the file and attach it again");
  }
  if (/^\.+$/.test(name)) return problem("name", "The file needs a name, not only dots");
  return null;
}

/** What is wrong with a file's type, given its name, or null: the type must be allowed and the name must end as that type does. */
export function typeProblem(contentType: string | undefined | null, rawName: string): Problem | null {
  const type = baseContentType(contentType);
  if (!isAllowedType(type)) {
    const what = type === "" ? "a file of unknown type" : `a file of type ${type}`;
    return problem("contentType", `This is ${what}, which cannot be attached. A quote takes a ${KINDS_IN_WORDS}`);
  }
  const { label, extensions } = ATTACHMENT_TYPES[type];
  if (!(extensions as readonly string[]).includes(extensionOf(rawName.trim()))) {
    return problem("name", `The file is ${withArticle(label)}, so its name must end in ${extensions.join(" or ")}`);
  }
  return null;
}

export function sizeProblem(size: number): Problem | null {
  if (!Number.isFinite(size) || size <= 0) return problem("size", "The file is empty");
  if (!Number.isInteger(size)) return problem("size", "A file's size is a whole number of bytes");
  if (size > ATTACHMENT_LIMITS.maxBytes) {
    return problem("size", `The file is ${sizeInWords(size)}; files of up to ${sizeInWords(ATTACHMENT_LIMITS.maxBytes)} can be attached`);
  }
  return null;
}

/** The first thing wrong with a file, or null: checked on the client's word before the upload, and on the stored file after. */
export function fileProblem(file: { name: string; size: number; contentType: string | undefined | null }): Problem | null {
  return nameProblem(file.name) ?? sizeProblem(file.size) ?? typeProblem(file.contentType, file.name);
}

/** Attaching is allowed until the quote is awarded or cancelled; what it holds stays readable after. */
export function closedQuoteProblem(quote: Pick<Doc<"quotes">, "status">): Problem | null {
  if (quote.status === "awarded") return problem("quoteId", "The quote has been awarded: its attachments are kept as they were", "CLOSED");
  if (quote.status === "cancelled") return problem("quoteId", "The quote was cancelled: its attachments are kept as they were", "CLOSED");
  return null;
}

