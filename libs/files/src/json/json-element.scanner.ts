import { FerryError, RowErrorCode } from '@ferry/contracts';

import { HAS_NUL, NOT_UTF8, REPLACEMENT_CHAR } from '../stream/text-chunks';
import { isWs, splitJsonObject } from './json-object.splitter';
import { type JsonRecord } from './json-record';

const enum Mode {
  Start,
  /** Inside a top-level array: elements separated by commas. */
  Array,
  /** Newline-delimited (or just whitespace-separated) objects. */
  Lines,
  /** After the array's closing bracket: only whitespace may follow. */
  Done,
}

const enum Expect {
  FirstValue,
  Value,
  CommaOrEnd,
}

const enum Kind {
  Container,
  String,
  Scalar,
}

export interface JsonScanLimits {
  /** Longest element accepted (characters); a longer one is a row error, skipped unread. */
  maxRecordChars: number;
  /** Deepest nesting accepted in an element; a deeper one is a row error. */
  maxDepth: number;
  /** Most keys in an element; more is a row error. */
  maxColumns: number;
  /** Longest value of a key (a nested value as text); a longer one is a row error. */
  maxCellChars: number;
}

function describe(c: string): string {
  return JSON.stringify(c);
}

/**
 * Finds the elements of a JSON file pushed chunk by chunk: a top-level array of objects or
 * newline-delimited objects, decided by the first character. It only tracks strings and brackets
 * (one pass, no tree); each finished element is split by `splitJsonObject`. Memory: the current
 * element (at most `maxRecordChars`) plus the chunk.
 */
export class JsonElementScanner {
  private mode = Mode.Start;
  private expect = Expect.FirstValue;
  private inElement = false;
  private kind = Kind.Container;
  private depth = 0;
  private deepest = 0;
  private inString = false;
  private escaped = false;
  private parts: string[] = [];
  private size = 0;
  private oversized = false;
  private position = 0;
  /** Physical line of the file, for sentences about the file's structure. */
  private line = 1;

  constructor(private readonly limits: JsonScanLimits) {}

  get started(): boolean {
    return this.mode !== Mode.Start;
  }

  push(text: string, final: boolean): JsonRecord[] {
    const out: JsonRecord[] = [];
    let segStart = this.inElement ? 0 : -1;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.line++;
      if (this.inElement) {
        if (this.step(c)) {
          out.push(this.finish(text, segStart, i + 1));
          segStart = -1;
        } else if (this.kind === Kind.Scalar && this.scalarEnded(c)) {
          out.push(this.finish(text, segStart, i));
          segStart = -1;
          if (c === 10) this.line--; // the character is read again below
          i--;
        }
        continue;
      }
      if (isWs(c)) continue;
      if (this.begin(c, text[i])) segStart = i;
    }
    if (this.inElement) {
      if (final && this.kind === Kind.Scalar) {
        out.push(this.finish(text, segStart, n));
      } else {
        this.keep(text.slice(segStart));
      }
    }
    if (final) this.end();
    return out;
  }

  /** Handles a character outside any element; true when it starts one. */
  private begin(c: number, ch: string): boolean {
    switch (this.mode) {
      case Mode.Start:
        if (c === 91) {
          this.mode = Mode.Array;
          this.expect = Expect.FirstValue;
          return false;
        }
        if (c === 123) {
          this.mode = Mode.Lines;
          this.open(Kind.Container, c);
          return true;
        }
        throw FerryError.validation(
          `the file is not JSON: it starts with ${describe(ch)}, where a JSON import expects [ (an array of objects) or { (newline-delimited objects)`,
        );
      case Mode.Array:
        if (this.expect === Expect.CommaOrEnd) {
          if (c === 44) this.expect = Expect.Value;
          else if (c === 93) this.mode = Mode.Done;
          else
            this.structure(`expected , or ] after element ${this.position}, found ${describe(ch)}`);
          return false;
        }
        if (c === 93 && this.expect === Expect.FirstValue) {
          this.mode = Mode.Done;
          return false;
        }
        if (c === 44 || c === 93) this.structure(`expected an element, found ${describe(ch)}`);
        this.open(c === 123 || c === 91 ? Kind.Container : c === 34 ? Kind.String : Kind.Scalar, c);
        return true;
      case Mode.Lines:
        if (c !== 123) {
          this.structure(
            `expected an object ({) after element ${this.position} of a newline-delimited JSON file, found ${describe(ch)}`,
          );
        }
        this.open(Kind.Container, c);
        return true;
      case Mode.Done:
        this.structure(`found ${describe(ch)} after the closing ] of the array`);
    }
  }

  private open(kind: Kind, c: number): void {
    this.inElement = true;
    this.kind = kind;
    this.depth = kind === Kind.Container ? 1 : 0;
    this.deepest = this.depth;
    this.inString = kind === Kind.String;
    this.escaped = false;
    this.parts = [];
    this.size = 0;
    this.oversized = false;
    this.position++;
    void c;
  }

  /** Advances inside an element; true when `c` closes it. */
  private step(c: number): boolean {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (c === 92) this.escaped = true;
      else if (c === 34) {
        this.inString = false;
        if (this.kind === Kind.String) return true;
      }
      return false;
    }
    if (this.kind === Kind.Scalar) return false;
    if (c === 34) this.inString = true;
    else if (c === 123 || c === 91) {
      if (++this.depth > this.deepest) this.deepest = this.depth;
    } else if (c === 125 || c === 93) {
      if (--this.depth === 0) return true;
    }
    return false;
  }

  private scalarEnded(c: number): boolean {
    return isWs(c) || c === 44 || c === 93;
  }

  private keep(part: string): void {
    if (this.oversized) return;
    this.size += part.length;
    if (this.size > this.limits.maxRecordChars) {
      this.oversized = true;
      this.parts = [];
    } else {
      this.parts.push(part);
    }
  }

  private finish(text: string, from: number, to: number): JsonRecord {
    this.keep(text.slice(from, to));
    this.inElement = false;
    if (this.mode === Mode.Array) this.expect = Expect.CommaOrEnd;
    const line = this.position;
    if (this.oversized) {
      return rejected(
        line,
        RowErrorCode.ROW_TOO_LARGE,
        `element ${line} is longer than ${this.limits.maxRecordChars} characters (FERRY_MAX_ROW_BYTES)`,
        '',
      );
    }
    const body = this.parts.length === 1 ? this.parts[0] : this.parts.join('');
    this.parts = [];
    if (this.deepest > this.limits.maxDepth) {
      return rejected(
        line,
        RowErrorCode.MALFORMED_ROW,
        `element ${line} nests deeper than ${this.limits.maxDepth} levels (FERRY_MAX_JSON_DEPTH)`,
        body,
      );
    }
    if (body.includes(REPLACEMENT_CHAR)) {
      return rejected(line, RowErrorCode.MALFORMED_ROW, `element ${line}: ${NOT_UTF8}`, body);
    }
    if (body.includes('\\u0000') || body.includes('\0')) {
      return rejected(line, RowErrorCode.MALFORMED_ROW, `element ${line}: ${HAS_NUL}`, body);
    }
    const split = splitJsonObject(body);
    if ('error' in split) {
      return rejected(
        line,
        RowErrorCode.MALFORMED_ROW,
        `element ${line} is not a valid JSON object: ${split.error}`,
        body,
      );
    }
    const { maxColumns, maxCellChars } = this.limits;
    if (split.keys.length > maxColumns) {
      return rejected(
        line,
        RowErrorCode.MALFORMED_ROW,
        `element ${line} has ${split.keys.length} keys, more than the limit of ${maxColumns} (FERRY_MAX_COLUMNS)`,
        body,
      );
    }
    if (body.length > maxCellChars) {
      const long = split.values.findIndex((v) => v.length > maxCellChars);
      if (long !== -1) {
        return rejected(
          line,
          RowErrorCode.TOO_LONG,
          `the value of ${split.keys[long]} in element ${line} is longer than ${maxCellChars} characters (FERRY_MAX_CELL_BYTES)`,
          body,
        );
      }
    }
    return { line, keys: split.keys, values: split.values };
  }

  private end(): void {
    if (this.inElement) {
      this.structure(
        `the file ends inside element ${this.position} (an object, array or string is never closed)`,
      );
    }
    if (this.mode === Mode.Start)
      throw FerryError.validation(
        'the file is empty: a JSON import needs an array of objects or newline-delimited objects',
      );
    if (this.mode === Mode.Array) this.structure('the file ends before the closing ] of the array');
  }

  private structure(what: string): never {
    throw FerryError.validation(`the file is not valid JSON: ${what} (line ${this.line})`, {
      line: this.line,
    });
  }
}

const RAW_CHARS = 4096;

/** A record that could not be read: its text (cut short) stands in for its columns in `/errors`. */
function rejected(
  line: number,
  code: JsonRecord['errorCode'],
  error: string,
  body: string,
): JsonRecord {
  return {
    line,
    keys: ['json'],
    values: [body.length > RAW_CHARS ? `${body.slice(0, RAW_CHARS)}…` : body],
    error,
    errorCode: code,
  };
}
