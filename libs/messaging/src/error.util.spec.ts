import { headerValue, isNestGenericRpcError, toError } from './error.util';

describe('error utils', () => {
  it('headerValue keeps short text, flattens line breaks and cuts at 1 KB on a character', () => {
    expect(headerValue('plain')).toBe('plain');
    expect(headerValue('a\r\nb\nc')).toBe('a b c');
    const cut = headerValue('€'.repeat(1000)); // 3 bytes each
    expect(Buffer.byteLength(cut, 'utf8')).toBe(1023);
    expect(cut).toBe('€'.repeat(341));
  });

  it('toError keeps Errors and wraps the rest', () => {
    const err = new TypeError('x');
    expect(toError(err)).toBe(err);
    expect(toError({ status: 'error', message: 'Internal server error' }).message).toBe(
      'Internal server error',
    );
    expect(toError('text').message).toBe('text');
    expect(toError(42).message).toBe('42');
  });

  it('recognises the object Nest RPC filters throw instead of the real error', () => {
    expect(isNestGenericRpcError({ status: 'error', message: 'Internal server error' })).toBe(true);
    expect(isNestGenericRpcError(new Error('x'))).toBe(false);
  });
});
