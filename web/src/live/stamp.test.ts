import { describe, expect, it } from 'vitest';
import { CHECK_BITS, COLS, CELL, decodeStamp, encodeStamp, readStamp, STAMP_BITS } from './stamp';

describe('stamp', () => {
  it('round-trips Date.now() values', () => {
    for (const ms of [0, 1, 1_733_200_000_000, 1_796_280_000_123, 2 ** 47 - 1]) {
      const bits = encodeStamp(ms);
      expect(bits).toHaveLength(STAMP_BITS + CHECK_BITS);
      expect(decodeStamp(bits)).toBe(ms);
    }
  });

  it('refuses a damaged stamp', () => {
    const bits = encodeStamp(1_796_280_000_123);
    bits[3] = !bits[3];
    expect(decodeStamp(bits)).toBeNull();
    expect(decodeStamp(bits.slice(0, 10))).toBeNull();
    expect(decodeStamp(new Array(56).fill(false))).toBeNull();
  });

  it('reads a stamp from pixels, at a scaled-down layer too', () => {
    const ms = 1_796_280_000_456;
    for (const width of [1280, 640, 320]) {
      const cell = (CELL * width) / 1280;
      const w = width;
      const h = Math.ceil(cell * 4) + 2;
      const data = new Uint8ClampedArray(w * h * 4);
      encodeStamp(ms).forEach((b, i) => {
        const x0 = Math.floor((i % COLS) * cell);
        const y0 = Math.floor(Math.floor(i / COLS) * cell);
        for (let y = y0; y < y0 + cell; y++)
          for (let x = x0; x < x0 + cell; x++) {
            const o = (y * w + x) * 4;
            // a little noise, as a codec leaves
            data[o] = data[o + 1] = data[o + 2] = b ? 230 : 25;
            data[o + 3] = 255;
          }
      });
      expect(readStamp({ data, width: w, height: h } as ImageData, width)).toBe(ms);
    }
  });
});
