import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { erasureRefusal, filenameFrom, formatBytes } from './account';

describe('formatBytes', () => {
  it('grows its unit with the size', () => {
    expect(formatBytes(12)).toBe('12 B');
    expect(formatBytes(820_400)).toBe('820 KB');
    expect(formatBytes(1_430_000)).toBe('1.4 MB');
    expect(formatBytes(2_500_000_000)).toBe('2.50 GB');
  });
});

describe('filenameFrom', () => {
  it('takes the server’s name', () => {
    expect(filenameFrom('attachment; filename="plaza-export-eve-2026-12-02.zip"')).toBe('plaza-export-eve-2026-12-02.zip');
  });
  it('never a path, and falls back', () => {
    expect(filenameFrom('attachment; filename="../../etc/passwd"')).toBe('passwd');
    expect(filenameFrom(null)).toBe('plaza-export.zip');
    expect(filenameFrom('attachment')).toBe('plaza-export.zip');
  });
});

describe('erasureRefusal', () => {
  it('shows the money held as the reason', () => {
    const r = erasureRefusal(new ApiError(409, 'balance_not_zero', 'Withdraw your balance of ¥12.30 first. An account can be erased once Plaza holds no money for it.'));
    expect(r.moneyHeld).toBe(true);
    expect(r.message).toContain('Withdraw your balance of ¥12.30 first');
  });
  it('a wrong password is not about money', () => {
    expect(erasureRefusal(new ApiError(403, 'wrong_password', 'Wrong password.'))).toEqual({ message: 'That password is not right.', moneyHeld: false });
  });
});
