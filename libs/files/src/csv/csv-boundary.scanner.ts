const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;
/** Bytes looked back over (blanks before a quote) before the scanner gives up on a file. */
const LOOKBACK = 256;

/** One byte range of a CSV's body, cut where a record ends. */
export interface CsvPart {
  /** First byte of the range (a record's first byte). */
  start: number;
  /** Just past the range's last byte (past a line break, or the file's end). */
  end: number;
  /** The file's physical line the range starts on (header = 1, quoted newlines counted). */
  firstLine: number;
  /** Data records in the range, blank lines excluded (a count of the scan, see `CsvSplitPlan`). */
  records: number;
}

/** Where a CSV can be cut so that each part is read on its own (docs/FORMATS.md §1). */
export interface CsvSplitPlan {
  /** Bytes of the header record (a BOM included): every part reads them before its range. */
  headerEnd: number;
  /** Physical lines the header spans (1 unless a quoted header name holds a line break). */
  headerLines: number;
  /**
   * Data records of the whole file, as the scan counts them: exact for every file the parser
   * reads without a leniency that drops a line (a line of blanks only, a line `""`), which the
   * scan counts as records; the counters at the end are the parser's own.
   */
  records: number;
  /** Bytes of the whole file. */
  bytes: number;
  parts: CsvPart[];
}

export type CsvScanResult = { plan: CsvSplitPlan } | { unsplittable: string };

export interface CsvScanOptions {
  /** Bytes of a part: a part ends at the first record end past this many bytes. */
  partBytes: number;
  /** Read as Flexprice does (leading blanks before a quote trimmed), as the import will. */
  lenient: boolean;
  /** FERRY_MAX_ROW_BYTES: a longer record makes the file one part (the parser's own error path). */
  maxRowBytes: number;
}

/**
 * A fast, quote-aware pass over a CSV's bytes that finds where records end, so that parts of the
 * file can be read by different importers and give the very records, lines and row numbers one
 * reader gives (docs/ARCHITECTURE.md invariant 6). It follows the record boundaries of
 * `CsvTextParser` (Go's encoding/csv): a quote opens a quoted field only at a field's start
 * (after leading blanks, when lenient), `""` inside one is a quote, and a quote followed by a
 * comma or a line break closes it. The bytes between quotes and line breaks are skipped with
 * `Buffer.indexOf`, so a file without quotes is scanned at memory speed.
 *
 * Anything whose boundaries the parser decides by a path of its own (an old-Mac line break, a
 * quote never closed, a row over the size limit, text after a closing quote in strict mode, NUL
 * bytes, a blank run it cannot look back over, a non-ASCII byte before a quote in lenient mode)
 * makes the file unsplittable: it is then read by one importer as before, never cut wrongly.
 */
export class CsvBoundaryScanner {
  private carry: Buffer | null = null;
  /** Absolute offset of the buffer being scanned. */
  private base = 0;
  /** The last bytes before `base` (for looking back over blanks before a quote). */
  private tail: Buffer = Buffer.alloc(0);
  private line = 1;
  private inQuote = false;
  private recordStart = 0;
  private header: { end: number; lines: number } | null = null;
  private records = 0;
  private parts: CsvPart[] = [];
  private part = { start: 0, firstLine: 1, records: 0 };
  private newlineChecked = false;
  private bytes = 0;
  /** Why the file cannot be cut, once known (the caller may stop reading). */
  unsplittable: string | null = null;

  constructor(private readonly o: CsvScanOptions) {}

  /** Where the header record ends, once the scan has passed it. */
  get headerEnd(): number | null {
    return this.header?.end ?? null;
  }

  push(chunk: Buffer): void {
    if (this.unsplittable) return;
    this.bytes += chunk.length;
    if (chunk.includes(0)) {
      this.unsplittable = 'it holds NUL bytes';
      return;
    }
    let b = chunk;
    if (this.carry) {
      b = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    if (!this.newlineChecked && !this.checkNewline(b)) return;
    const stop = this.scan(b);
    if (this.unsplittable) return;
    if (stop < b.length) this.carry = b.subarray(stop);
    const kept = b.subarray(0, stop);
    this.tail =
      kept.length >= LOOKBACK
        ? kept.subarray(kept.length - LOOKBACK)
        : Buffer.concat([this.tail, kept]).subarray(-LOOKBACK);
    this.base += stop;
  }

  finish(): CsvScanResult {
    if (!this.unsplittable && this.carry) {
      // The file ends right after a quote (or a CR after one): the quoted field closes there.
      const b = this.carry;
      this.carry = null;
      if (this.inQuote && b[0] === QUOTE && (b.length === 1 || (b.length === 2 && b[1] === CR))) {
        this.inQuote = false;
      } else this.unsplittable = 'its last record could not be read to its end';
    }
    if (this.unsplittable) return { unsplittable: this.unsplittable };
    if (this.inQuote) return { unsplittable: 'a quoted field is never closed' };
    if (this.recordStart < this.bytes) this.endRecord(this.bytes, false);
    if (this.unsplittable) return { unsplittable: this.unsplittable };
    if (!this.header) return { unsplittable: 'it has no header row' };
    if (this.part.start < this.bytes || this.parts.length === 0) {
      this.parts.push({ ...this.part, end: this.bytes });
    }
    return {
      plan: {
        headerEnd: this.header.end,
        headerLines: this.header.lines,
        records: this.records,
        bytes: this.bytes,
        parts: this.parts,
      },
    };
  }

  /** The parser's line break is that of the file's first one: LF or CRLF only here. */
  private checkNewline(b: Buffer): boolean {
    const lf = b.indexOf(LF);
    const cr = b.indexOf(CR);
    if (cr === -1 || (lf !== -1 && lf < cr)) {
      if (lf !== -1) this.newlineChecked = true;
      return true;
    }
    if (cr + 1 >= b.length) return true; // decided with the next chunk
    this.newlineChecked = true;
    if (b[cr + 1] !== LF) this.unsplittable = 'its line breaks are lone CRs (old Mac)';
    return !this.unsplittable;
  }

  /** Scans `b` (at `this.base`); returns where a decision needs the next chunk's bytes. */
  private scan(b: Buffer): number {
    const len = b.length;
    let i = 0;
    while (i < len) {
      if (!this.inQuote) {
        const nl = b.indexOf(LF, i);
        const q = b.indexOf(QUOTE, i);
        if (q !== -1 && (nl === -1 || q < nl)) {
          if (this.opensField(b, q)) this.inQuote = true;
          if (this.unsplittable) return len;
          i = q + 1;
          continue;
        }
        if (nl === -1) return len;
        this.endRecord(this.base + nl + 1, true, b, nl);
        if (this.unsplittable) return len;
        i = nl + 1;
        continue;
      }
      const q = b.indexOf(QUOTE, i);
      const to = q === -1 ? len : q;
      this.line += countByte(b, LF, i, to);
      if (q === -1) {
        this.checkLength(this.base + len);
        return len;
      }
      if (q + 1 >= len) return q; // the byte after the quote decides
      const c = b[q + 1];
      if (c === QUOTE) {
        i = q + 2;
      } else if (c === COMMA) {
        this.inQuote = false;
        i = q + 2;
      } else if (c === LF) {
        this.inQuote = false;
        this.endRecord(this.base + q + 2, true);
        if (this.unsplittable) return len;
        i = q + 2;
      } else if (c === CR) {
        if (q + 2 >= len) return q;
        if (b[q + 2] === LF) {
          this.inQuote = false;
          this.endRecord(this.base + q + 3, true);
          if (this.unsplittable) return len;
          i = q + 3;
        } else if (this.o.lenient) i = q + 1;
        else {
          this.unsplittable = 'a closing quote is followed by text (strict)';
          return len;
        }
      } else if (this.o.lenient) {
        i = q + 1; // a quote taken literally: still inside the quoted field
      } else {
        this.unsplittable = 'a closing quote is followed by text (strict)';
        return len;
      }
    }
    return len;
  }

  /** Whether the quote at `q` starts a field (a quoted one), as the parser decides. */
  private opensField(b: Buffer, q: number): boolean {
    let k = q - 1;
    let abs = this.base + q - 1;
    for (;;) {
      if (abs < this.recordStart) return true; // at the record's start
      const c = k >= 0 ? b[k] : this.tail[this.tail.length + k];
      if (c === undefined) {
        this.unsplittable = 'a long run of blanks before a quote';
        return false;
      }
      if (c === COMMA) return true;
      if (!this.o.lenient) return false;
      if (c === 32 || c === 9 || c === 11 || c === 12) {
        k--;
        abs--;
        continue;
      }
      if (c >= 0x80) this.unsplittable = 'a quote after a non-ASCII character (lenient)';
      return false;
    }
  }

  private checkLength(at: number): void {
    if (at - this.recordStart > this.o.maxRowBytes) {
      this.unsplittable = `a row is longer than ${this.o.maxRowBytes} bytes (FERRY_MAX_ROW_BYTES)`;
    }
  }

  /**
   * A record ends just before `end`; `newline` when a line break ends it (not the file's end).
   * `text` is where its last line's text ends in `b` when the record holds no quote, to tell a
   * blank line (which the parser skips, counting it) from a record; absent for a quoted record.
   */
  private endRecord(end: number, newline: boolean, b?: Buffer, text?: number): void {
    this.checkLength(end);
    if (this.unsplittable) return;
    const blank = text !== undefined && this.isBlank(this.base + text, b, text);
    if (blank && !this.header) {
      // The parser would skip it; cut there only when the scan is sure it is the header.
      this.unsplittable = 'it has blank lines before its header';
      return;
    }
    if (!blank) {
      if (!this.header) {
        this.header = { end, lines: this.line };
        this.part = { start: end, firstLine: this.line + 1, records: 0 };
      } else {
        this.records++;
        this.part.records++;
      }
    }
    this.recordStart = end;
    if (newline) this.line++;
    if (this.header && end - this.part.start >= this.o.partBytes) {
      this.parts.push({ ...this.part, end });
      this.part = { start: end, firstLine: this.line, records: 0 };
    }
  }

  /** A line the parser skips: empty, or CR only (and blanks only, when lenient). */
  private isBlank(lineEnd: number, b?: Buffer, at?: number): boolean {
    const n = lineEnd - this.recordStart;
    if (n === 0) return true;
    if (!b || at === undefined || n > LOOKBACK || at - n < 0) return false;
    for (let k = at - n; k < at; k++) {
      const c = b[k];
      if (c === CR && k === at - 1) continue;
      if (this.o.lenient && (c === 32 || c === 9 || c === 11 || c === 12)) continue;
      return false;
    }
    return true;
  }
}

function countByte(b: Buffer, byte: number, from: number, to: number): number {
  let n = 0;
  for (let k = b.indexOf(byte, from); k !== -1 && k < to; k = b.indexOf(byte, k + 1)) n++;
  return n;
}
