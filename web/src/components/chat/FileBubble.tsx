import { fileFamily, formatBytes, type FileFamily } from '../../chat/upload';
import { t } from '../../i18n';

const LABELS: Record<FileFamily, string> = {
  pdf: 'PDF',
  doc: 'DOC',
  xls: 'XLS',
  ppt: 'PPT',
  zip: 'ZIP',
  audio: '♪',
  video: '▶',
  image: 'IMG',
  text: 'TXT',
  other: 'FILE',
};

/** The type icon: a folded page in the family's colour with its label. */
export function FileTypeIcon({ name, type }: { name: string; type?: string }) {
  const family = fileFamily(name, type);
  return (
    <span class={'file-icon ficon-' + family} data-family={family} aria-hidden="true">
      <svg viewBox="0 0 40 48" width="40" height="48">
        <path d="M4 2h22l10 10v32a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2z" fill="currentColor" />
        <path d="M26 2v8a2 2 0 0 0 2 2h8z" fill="#fff" fill-opacity="0.45" />
      </svg>
      <span class="file-icon-label">{LABELS[family]}</span>
    </span>
  );
}

interface FileBubbleProps {
  name: string;
  size: number;
  type?: string;
  /** Where to download it; absent while uploading. */
  src?: string;
  /** 0…1 while uploading. */
  progress?: number;
  onCancel?: () => void;
}

/** A file message: name, size and type icon; tap to download; progress and cancel while uploading. */
export function FileBubble({ name, size, type, src, progress, onCancel }: FileBubbleProps) {
  const body = (
    <>
      <span class="file-text">
        <span class="file-name">{name}</span>
        <span class="file-size">{uploadLine(size, progress)}</span>
      </span>
      <FileTypeIcon name={name} type={type} />
    </>
  );
  if (src && progress === undefined) {
    return (
      <a class="bubble-file" href={src} download={name} title={t('chat.file.download', { name })}>
        {body}
        <span class="file-foot">{t('chat.file.foot')}</span>
      </a>
    );
  }
  const pct = Math.round((progress ?? 0) * 100);
  return (
    <div class="bubble-file uploading" aria-busy="true">
      {body}
      <span class="file-progress" role="progressbar" aria-label={t('chat.file.uploading', { name })} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <span class="file-progress-fill" style={{ width: pct + '%' }} />
      </span>
      {onCancel && (
        <button type="button" class="file-cancel" aria-label={t('chat.file.cancel_sending', { name })} onClick={onCancel}>
          {t('chat.file.cancel')}
        </button>
      )}
    </div>
  );
}

function uploadLine(size: number, progress?: number): string {
  if (progress === undefined) return formatBytes(size);
  if (progress >= 1) return t('chat.file.sending', { size: formatBytes(size) });
  return formatBytes(Math.round(size * progress)) + ' / ' + formatBytes(size);
}
