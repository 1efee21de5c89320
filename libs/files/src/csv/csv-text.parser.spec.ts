import { RowErrorCode } from '@ferry/contracts';

import { type CsvRecord } from './csv-record';
import { CsvTextParser } from './csv-text.parser';

function parseAll(
  text: string,
  pieces: number[] = [],
  maxRow = 1 << 20,
): Array<Pick<CsvRecord, 'line' | 'values' | 'errorCode'>> {
  const parser = new CsvTextParser(maxRow);
  const out: CsvRecord[] = [];
  let pos = 0;
  for (const size of pieces) {
    out.push(...parser.push(text.slice(pos, pos + size), false));
    pos += size;
  }
  out.push(...parser.push(text.slice(pos), true));
  return out.map(({ line, values, errorCode }) =>
    errorCode ? { line, values, errorCode } : { line, values },
  );
}

describe('CsvTextParser', () => {
  it('numbers records by the line they start on', () => {
    expect(parseAll('a,b\n1,2\n3,4\n')).toEqual([
      { line: 1, values: ['a', 'b'] },
      { line: 2, values: ['1', '2'] },
      { line: 3, values: ['3', '4'] },
    ]);
  });

  it('counts newlines inside quoted fields', () => {
    expect(parseAll('a,b\n"x\ny\nz",1\nlast,2')).toEqual([
      { line: 1, values: ['a', 'b'] },
      { line: 2, values: ['x\ny\nz', '1'] },
      { line: 5, values: ['last', '2'] },
    ]);
  });

  it('reads CRLF files, keeping CRLF inside quoted fields and dropping it at line ends', () => {
    expect(parseAll('a,b\r\n1,2\r\n"p\r\nq",3\r\n4,"5"\r\n')).toEqual([
      { line: 1, values: ['a', 'b'] },
      { line: 2, values: ['1', '2'] },
      { line: 3, values: ['p\r\nq', '3'] },
      { line: 5, values: ['4', '5'] },
    ]);
  });

  it('reads files mixing LF and CRLF', () => {
    expect(parseAll('a,b\n1,2\r\n3,4\n')).toEqual([
      { line: 1, values: ['a', 'b'] },
      { line: 2, values: ['1', '2'] },
      { line: 3, values: ['3', '4'] },
    ]);
  });

  it('reads old Mac files whose lines end in a lone CR', () => {
    expect(parseAll('a,b\r1,2\r"x\ry",3\r4,5')).toEqual([
      { line: 1, values: ['a', 'b'] },
      { line: 2, values: ['1', '2'] },
      { line: 3, values: ['x\ry', '3'] },
      { line: 5, values: ['4', '5'] },
    ]);
  });

  it('skips blank lines but counts them', () => {
    expect(parseAll('a,b\n\n1,2\r\n\r\n\n3,4\n\n')).toEqual([
      { line: 1, values: ['a', 'b'] },
      { line: 3, values: ['1', '2'] },
      { line: 6, values: ['3', '4'] },
    ]);
  });

  it('unescapes doubled quotes and keeps commas inside quotes', () => {
    expect(parseAll('a\n"say ""hi"", then, go"\n')).toEqual([
      { line: 1, values: ['a'] },
      { line: 2, values: ['say "hi", then, go'] },
    ]);
  });

  it('reports text after a closing quote as a malformed row', () => {
    const records = parseAll('a,b\n"x"y,1\n');
    expect(records[1]).toMatchObject({ line: 2, errorCode: RowErrorCode.MALFORMED_ROW });
  });

  it('reports a quote that is never closed on the row where it opens', () => {
    const parser = new CsvTextParser(1 << 20);
    const records = [...parser.push('a,b\n1,2\n"open,3\n4,5\n', false), ...parser.push('', true)];
    expect(records.map((r) => r.line)).toEqual([1, 2, 3]);
    expect(records[2].errorCode).toBe(RowErrorCode.MALFORMED_ROW);
    expect(records[2].error).toMatch(/never closed/);
  });

  it('gives the same records however the text is cut into chunks', () => {
    const text =
      'id,name,note\r\n1,"a, b","line1\r\nline2"\r\n\r\n2,plain,"x ""q"" y"\r\n3,"",\r\n4,"é😀","tail"\r\n5,"quoted\nLF",z';
    const whole = parseAll(text);
    expect(whole.map((r) => r.line)).toEqual([1, 2, 5, 6, 7, 8]);
    for (const size of [1, 2, 3, 5, 7, 13]) {
      const pieces = Array.from({ length: Math.ceil(text.length / size) }, () => size);
      expect(parseAll(text, pieces)).toEqual(whole);
    }
  });

  it('marks a finished row longer than the limit as too large', () => {
    const records = parseAll(`a\n${'x'.repeat(50)}\nok\n`, [], 20);
    expect(records[1]).toMatchObject({ line: 2, errorCode: RowErrorCode.ROW_TOO_LARGE });
    expect(records[2]).toEqual({ line: 3, values: ['ok'] });
  });

  it('turns an unfinished row that grows past the limit into a row error and skips its line', () => {
    const parser = new CsvTextParser(100);
    expect(parser.push('a\n1\n', false)).toHaveLength(2);
    const [tooBig] = parser.push(`${'x'.repeat(200)}`, false);
    expect(tooBig).toMatchObject({ line: 3, errorCode: RowErrorCode.ROW_TOO_LARGE });
    expect(tooBig.error).toBe('the row is longer than 100 bytes (FERRY_MAX_ROW_BYTES)');
    expect(parser.push('y'.repeat(500), false)).toEqual([]);
    expect(parser.push('yyy\n4\n5', true)).toEqual([
      { line: 4, values: ['4'] },
      { line: 5, values: ['5'] },
    ]);
  });

  it('checks the number of columns, the size of each cell and the UTF-8 of each row', () => {
    const parser = new CsvTextParser({ maxColumns: 3, maxCellChars: 5 });
    const records = parser.push('a,b\n1,2,3,4\n123456,1\nok,\ufffd\nok,fine\n', true);
    expect(records.map((r) => [r.line, r.errorCode ?? 'ok', r.error ?? ''])).toEqual([
      [1, 'ok', ''],
      [2, 'malformed_row', 'the row has 4 columns, more than the limit of 3 (FERRY_MAX_COLUMNS)'],
      [3, 'too_long', 'column 1 is longer than 5 bytes (FERRY_MAX_CELL_BYTES)'],
      [4, 'malformed_row', expect.stringMatching(/not valid UTF-8/)],
      [5, 'ok', ''],
    ]);
  });

  describe("lenient, as Go's encoding/csv with LazyQuotes and TrimLeadingSpace", () => {
    function lenient(text: string, pieces: number[] = []): CsvRecord[] {
      const parser = new CsvTextParser({}, { lenient: true });
      const out: CsvRecord[] = [];
      let pos = 0;
      for (const size of pieces) {
        out.push(...parser.push(text.slice(pos, pos + size), false));
        pos += size;
      }
      out.push(...parser.push(text.slice(pos), true));
      return out;
    }

    it('trims leading blanks from header names and cells, noting the columns', () => {
      const [head, row, plain] = lenient(' a,  b\n1, \t2\n3,4\n');
      expect(head).toMatchObject({ line: 1, values: ['a', 'b'], leniency: { trimmed: [1, 2] } });
      expect(row).toMatchObject({ line: 2, values: ['1', '2'], leniency: { trimmed: [2] } });
      expect(plain).toEqual({
        line: 3,
        values: ['3', '4'],
        error: undefined,
        errorCode: undefined,
      });
    });

    it('takes a stray quote literally, in an unquoted and in a quoted field', () => {
      const records = lenient('a,b,c\n12" screen,x,y\n"say "hi" now",2,3\n4,5,6\n');
      expect(records.map((r) => [r.line, r.values, r.leniency?.strayQuotes, r.error])).toEqual([
        [1, ['a', 'b', 'c'], undefined, undefined],
        [2, ['12" screen', 'x', 'y'], [1], undefined],
        [3, ['say "hi" now', '2', '3'], [1], undefined],
        [4, ['4', '5', '6'], undefined, undefined],
      ]);
    });

    it('reads a quoted field after trimmed blanks as quoted', () => {
      const [, row] = lenient('a,b\n1, "x, y"\n');
      expect(row).toMatchObject({ values: ['1', 'x, y'], leniency: { trimmed: [2] } });
    });

    it('keeps short and long rows as they are (the mapper decides)', () => {
      const records = lenient('a,b,c\n1\n1,2,3,4\n');
      expect(records.map((r) => r.values)).toEqual([['a', 'b', 'c'], ['1'], ['1', '2', '3', '4']]);
    });

    it('still rejects a quote never closed, on the line it opens', () => {
      const records = lenient('a,b\n"open,1\n2,3\n');
      expect(records[1]).toMatchObject({ line: 2, errorCode: RowErrorCode.MALFORMED_ROW });
    });

    it('gives the same records however the text is cut into chunks', () => {
      const text = ' id, name\r\n1, "a ""b"" c"\r\n\r\n2,x"y\r\n3,"p"q",z\r\n   \r\n4, last';
      const whole = lenient(text);
      expect(whole.map((r) => r.line)).toEqual([1, 2, 4, 5, 7]);
      expect(whole[3].values).toEqual(['3', 'p"q', 'z']);
      for (const size of [1, 2, 3, 5, 7]) {
        const pieces = Array.from({ length: Math.ceil(text.length / size) }, () => size);
        expect(lenient(text, pieces)).toEqual(whole);
      }
    });

    it('is strict without the option: a stray quote is a malformed row', () => {
      const records = parseAll('a,b\n12" screen,x\n"a"b,1\nok,1\n');
      expect(records.map((r) => [r.line, r.errorCode ?? 'ok'])).toEqual([
        [1, 'ok'],
        [2, RowErrorCode.MALFORMED_ROW],
        [3, RowErrorCode.MALFORMED_ROW],
        [4, 'ok'],
      ]);
    });
  });
});
