import { describe, expect, it } from 'vitest';
import { fileFamily, formatBytes } from './upload';

describe('formatBytes', () => {
  it('names sizes as people read them', () => {
    expect(formatBytes(120)).toBe('120 B');
    expect(formatBytes(2048)).toBe('2.0 KB');
    expect(formatBytes(226 * 1024)).toBe('226 KB');
    expect(formatBytes(100 * 1024 * 1024)).toBe('100 MB');
    expect(formatBytes(1.5 * 1024 * 1024)).toBe('1.5 MB');
  });
});

describe('fileFamily', () => {
  it('picks the icon by extension, then by type', () => {
    expect(fileFamily('Quarterly report.PDF')).toBe('pdf');
    expect(fileFamily('a.docx')).toBe('doc');
    expect(fileFamily('sheet.xlsx')).toBe('xls');
    expect(fileFamily('b.tar.gz')).toBe('zip');
    expect(fileFamily('song', 'audio/mpeg')).toBe('audio');
    expect(fileFamily('clip.mov')).toBe('video');
    expect(fileFamily('setup.exe')).toBe('other');
    expect(fileFamily('.bashrc')).toBe('other');
  });
});
