import { escapeFormulaCell, unescapeFormulaCell } from './formula-cell';

describe('formula cells', () => {
  it.each([
    ["'=SUM(A1)", '=SUM(A1)'],
    ["'+1 555", '+1 555'],
    ["'-x", '-x'],
    ["'@home", '@home'],
    ["'\tx", '\tx'],
    ["'\rx", '\rx'],
    ["'plain", "'plain"],
    ["'", "'"],
    ['=raw', '=raw'],
    ['', ''],
  ])('unescape %j → %j', (cell, value) => {
    expect(unescapeFormulaCell(cell)).toBe(value);
  });

  it.each([
    ['=SUM(A1)', "'=SUM(A1)"],
    ['-5', '-5'],
    ['+1.5e3', '+1.5e3'],
    ['-x', "'-x"],
    ['@a', "'@a"],
    ['\tx', "'\tx"],
    ['hello', 'hello'],
  ])('escape %j → %j and back', (value, cell) => {
    expect(escapeFormulaCell(value)).toBe(cell);
    expect(unescapeFormulaCell(escapeFormulaCell(value))).toBe(value);
  });
});
