/**
 * CSV as the finance bureau's spreadsheets read it and banks' return files write it (RFC 4180:
 * quoted fields, doubled quotes, CRLF). Writing starts with a byte-order mark so Excel opens the
 * Chinese text as UTF-8, and neutralises cells a spreadsheet would run as a formula.
 */
import { BankFileRefusal } from './batch.js';

/** The byte-order mark that opens every CSV we write. */
export const BOM = '\uFEFF';

/** One field, always quoted; a leading = + - @ or control character is prefixed with ' so no cell is a formula. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** One row: every field quoted, CRLF at the end. */
export function csvRow(row: readonly string[]): string {
  return row.map(csvField).join(',') + '\r\n';
}

/** A whole CSV document: BOM, every field quoted, CRLF after every row. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return BOM + rows.map(csvRow).join('');
}

/** One parsed row and the physical line it starts on (1-based), for errors a person can find. */
export interface CsvRow {
  line: number;
  fields: string[];
}

/**
 * The rows of a CSV text (a leading BOM dropped, blank lines skipped). Throws BankFileRefusal
 * BAD_BANK_FILE naming the line of a quote that is never closed or text after a closing quote.
 */
export function parseCsv(text: string): CsvRow[] {
  const source = text.startsWith(BOM) ? text.slice(1) : text;
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let quoted = false;
  let afterQuote = false;
  const endRow = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
    afterQuote = false;
  };
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (quoted) {
      if (char === '"' && source[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
        afterQuote = true;
      } else {
        if (char === '\n') line++;
        field += char;
      }
      continue;
    }
    if (char === ',') {
      fields.push(field);
      field = '';
      afterQuote = false;
    } else if (char === '\r' || char === '\n') {
      if (char === '\r' && source[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else if (afterQuote) {
      throw new BankFileRefusal(
        'BAD_BANK_FILE',
        `line ${line}: text after a closing quote`,
        `第 ${line} 行：引号后有多余字符`,
        `line ${line}`,
      );
    } else if (char === '"' && field === '') {
      quoted = true;
    } else {
      field += char;
    }
  }
  if (quoted)
    throw new BankFileRefusal(
      'BAD_BANK_FILE',
      `line ${rowLine}: a quote is never closed`,
      `第 ${rowLine} 行：引号未闭合`,
      `line ${rowLine}`,
    );
  if (field !== '' || fields.length > 0 || afterQuote) endRow();
  return rows;
}
