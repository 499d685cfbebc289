import { describe, expect, it } from 'vitest';
import { bytesToBase64, fileToBase64 } from './bytes';

describe('bytesToBase64', () => {
  it('encodes the bytes as they are, not as text (Latin-1 é and a stray 0xff stay single bytes)', () => {
    const bytes = new Uint8Array([0x31, 0x2c, 0x43, 0x61, 0x66, 0xe9, 0xff, 0x0a]);
    expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
  });
  it('encodes files larger than one chunk', async () => {
    const bytes = new Uint8Array(100_000).map((_, i) => i % 256);
    expect(await fileToBase64(new Blob([bytes]))).toBe(Buffer.from(bytes).toString('base64'));
  });
  it('encodes nothing as nothing', () => {
    expect(bytesToBase64(new Uint8Array())).toBe('');
  });
});
