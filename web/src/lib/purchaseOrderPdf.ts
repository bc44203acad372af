import { PDFDocument, type PDFFont, type PDFPage, PageSizes, rgb, StandardFonts } from "pdf-lib";
import { formatMoney, formatUnitPrice } from "./format";
import { poDate, poTerms, type PurchaseOrder } from "./purchaseOrder";

// The purchase order as a PDF, made in the browser with pdf-lib: an A4 page
// (more when the lines run long) with the title, buyer and supplier, the
// lines, the total and the terms. The standard fonts cover Western European
// text; a character they cannot print is replaced by "?".

const MARGIN = 50;
const INK = rgb(0.1, 0.12, 0.16);
const MUTED = rgb(0.38, 0.42, 0.48);
const RULE = rgb(0.8, 0.82, 0.86);

export async function purchaseOrderPdf(po: PurchaseOrder): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Purchase order ${po.reference}`);
  doc.setSubject(`${po.buyerName} to ${po.supplierName}`);
  doc.setCreator("Parley");
  doc.setProducer("Parley");
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const [pageWidth, pageHeight] = PageSizes.A4;
  const right = pageWidth - MARGIN;
  let page: PDFPage = doc.addPage(PageSizes.A4);
  let y = pageHeight - MARGIN;

  /** Only what the font can encode. */
  const printable = (font: PDFFont, text: string) =>
    [...text]
      .map((ch) => {
        try {
          font.encodeText(ch);
          return ch;
        } catch {
          return "?";
        }
      })
      .join("");
  /** Words broken into lines no wider than `width`. */
  const wrap = (font: PDFFont, size: number, text: string, width: number): string[] =>
    text
      .split(/\r?\n/)
      .map((paragraph) => printable(font, paragraph))
      .flatMap((paragraph) => {
        const lines: string[] = [];
        let line = "";
        for (const word of paragraph.split(/\s+/).filter(Boolean)) {
          const next = line ? `${line} ${word}` : word;
          if (line && font.widthOfTextAtSize(next, size) > width) {
            lines.push(line);
            line = word;
          } else line = next;
        }
        lines.push(line);
        return lines;
      });
  /** A new page when `height` more would not fit; true when one was started. */
  const ensure = (height: number): boolean => {
    if (y - height >= MARGIN) return false;
    page = doc.addPage(PageSizes.A4);
    y = pageHeight - MARGIN;
    return true;
  };
  const text = (value: string, x: number, opts: { size?: number; font?: PDFFont; color?: typeof INK; align?: "left" | "right" } = {}) => {
    const font = opts.font ?? regular;
    const size = opts.size ?? 10;
    const printed = printable(font, value);
    const at = opts.align === "right" ? x - font.widthOfTextAtSize(printed, size) : x;
    page.drawText(printed, { x: at, y, size, font, color: opts.color ?? INK });
  };
  const rule = () => page.drawLine({ start: { x: MARGIN, y }, end: { x: right, y }, thickness: 0.75, color: RULE });

  // Title and date.
  text(`Purchase order ${po.reference}`, MARGIN, { size: 20, font: bold });
  text(poDate(po), right, { size: 10, color: MUTED, align: "right" });
  y -= 34;

  // Buyer and supplier, side by side.
  const half = (right - MARGIN) / 2;
  text("Buyer", MARGIN, { size: 9, font: bold, color: MUTED });
  text("Supplier", MARGIN + half, { size: 9, font: bold, color: MUTED });
  y -= 14;
  const buyerLines = wrap(bold, 12, po.buyerName, half - 10);
  const supplierLines = wrap(bold, 12, po.supplierName, half - 10);
  for (let i = 0; i < Math.max(buyerLines.length, supplierLines.length); i++) {
    if (buyerLines[i]) text(buyerLines[i]!, MARGIN, { size: 12, font: bold });
    if (supplierLines[i]) text(supplierLines[i]!, MARGIN + half, { size: 12, font: bold });
    y -= 16;
  }
  y -= 16;

  // The lines.
  const columns = { product: MARGIN, quantity: MARGIN + 300, unitPrice: MARGIN + 390, lineTotal: right };
  const header = () => {
    text("Product", columns.product, { size: 9, font: bold, color: MUTED });
    text("Quantity", columns.quantity, { size: 9, font: bold, color: MUTED, align: "right" });
    text("Unit price", columns.unitPrice, { size: 9, font: bold, color: MUTED, align: "right" });
    text("Line total", columns.lineTotal, { size: 9, font: bold, color: MUTED, align: "right" });
    y -= 8;
    rule();
    y -= 16;
  };
  header();
  for (const line of po.lines) {
    const names = wrap(regular, 10, line.name, 230);
    if (ensure(14 * names.length + 18)) header();
    names.forEach((name, i) => {
      text(name, columns.product);
      if (i === 0) {
        text(line.quantity.toLocaleString("en-US"), columns.quantity, { align: "right" });
        text(formatUnitPrice(line.unitPrice, po.currency), columns.unitPrice, { align: "right" });
        text(formatMoney(line.lineTotal, po.currency), columns.lineTotal, { align: "right" });
      }
      y -= 13;
    });
    text(line.sku, columns.product, { size: 8, color: MUTED });
    y -= 16;
  }
  ensure(40);
  rule();
  y -= 18;
  text("Total", columns.unitPrice, { size: 12, font: bold, align: "right" });
  text(formatMoney(po.total, po.currency), columns.lineTotal, { size: 12, font: bold, align: "right" });
  y -= 36;

  // The terms.
  for (const [label, value] of poTerms(po)) {
    const lines = wrap(regular, 10, value, right - MARGIN - 130);
    ensure(14 * lines.length + 8);
    text(label, MARGIN, { size: 9, font: bold, color: MUTED });
    for (const line of lines) {
      text(line, MARGIN + 130);
      y -= 14;
    }
    y -= 6;
  }

  ensure(30);
  y -= 14;
  text(`Issued by ${po.buyerName} through Parley.`, MARGIN, { size: 8, color: MUTED });
  return await doc.save();
}
