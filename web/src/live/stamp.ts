// Glass-to-glass measurement (test-only in spirit): the host page with
// ?stamp=1 paints Date.now() into each frame as black/white squares; the
// room page with ?stamp=1 reads them back and records now − stamp.
//
// 48 bits of milliseconds then an 8-bit check, 56 cells in 4 rows of 14,
// each CELL px square on a 1280-wide frame (scaled with the frame).

export const STAMP_BITS = 48;
export const CHECK_BITS = 8;
export const COLS = 14;
export const ROWS = 4;
/** A cell's side on a 1280 px wide frame. */
export const CELL = 32;
export const STAMP_WIDTH = 1280;

function check(ms: number): number {
  let sum = 0x5a;
  let v = ms;
  for (let i = 0; i < 6; i++) {
    sum = (sum + (v % 256)) % 256;
    v = Math.floor(v / 256);
  }
  return sum;
}

/** The cells (true: white) that carry ms. */
export function encodeStamp(ms: number): boolean[] {
  const bits: boolean[] = [];
  let v = Math.max(0, Math.floor(ms));
  for (let i = 0; i < STAMP_BITS; i++) {
    bits.push(v % 2 === 1);
    v = Math.floor(v / 2);
  }
  let c = check(Math.floor(ms));
  for (let i = 0; i < CHECK_BITS; i++) {
    bits.push(c % 2 === 1);
    c = c >> 1;
  }
  return bits;
}

/** The milliseconds the cells carry, or null when the check fails. */
export function decodeStamp(bits: boolean[]): number | null {
  if (bits.length < STAMP_BITS + CHECK_BITS) return null;
  let ms = 0;
  for (let i = STAMP_BITS - 1; i >= 0; i--) ms = ms * 2 + (bits[i] ? 1 : 0);
  let c = 0;
  for (let i = CHECK_BITS - 1; i >= 0; i--) c = c * 2 + (bits[STAMP_BITS + i] ? 1 : 0);
  return c === check(ms) ? ms : null;
}

/** Cells read from luminance samples (0–255), one per cell, threshold at mid-grey. */
export function bitsFromLuma(luma: number[]): boolean[] {
  return luma.map((l) => l >= 128);
}

/** Paints the stamp for ms at the top left of a frame width px wide. */
export function drawStamp(ctx: CanvasRenderingContext2D, ms: number, width: number): void {
  const cell = (CELL * width) / STAMP_WIDTH;
  const bits = encodeStamp(ms);
  bits.forEach((b, i) => {
    ctx.fillStyle = b ? '#ffffff' : '#000000';
    ctx.fillRect((i % COLS) * cell, Math.floor(i / COLS) * cell, cell, cell);
  });
}

/** Reads a stamp from image data of the frame's top left (width: the frame's width). */
export function readStamp(data: ImageData, width: number): number | null {
  const cell = (CELL * width) / STAMP_WIDTH;
  const luma: number[] = [];
  for (let i = 0; i < STAMP_BITS + CHECK_BITS; i++) {
    const x = Math.floor((i % COLS) * cell + cell / 2);
    const y = Math.floor(Math.floor(i / COLS) * cell + cell / 2);
    if (x >= data.width || y >= data.height) return null;
    const o = (y * data.width + x) * 4;
    luma.push(0.299 * data.data[o] + 0.587 * data.data[o + 1] + 0.114 * data.data[o + 2]);
  }
  return decodeStamp(bitsFromLuma(luma));
}

/** The area readStamp needs, in frame px. */
export function stampArea(width: number): { w: number; h: number } {
  const cell = (CELL * width) / STAMP_WIDTH;
  return { w: Math.ceil(COLS * cell), h: Math.ceil(ROWS * cell) };
}
