import type { Id } from '../../api';
import { sendFile } from '../../chat/send';
import { showToast } from '../../toast';
import { t } from '../../i18n';

/** Sends every picked file as a file message; says why one can't go. */
export function sendPickedFiles(convId: Id, files: File[]): void {
  for (const f of files) {
    const problem = sendFile(convId, f);
    if (problem) showToast(problem, 'error');
  }
}

/** The "+" panel's File tile: any file up to 100 MB. */
export function FileTile({ convId, onPicked }: { convId: Id; onPicked: () => void }) {
  return (
    <label class="composer-tile" for="composer-file">
      <span class="composer-tile-icon tile-blue">
        <FileIcon size={28} />
      </span>
      <span>{t('chat.composer.file')}</span>
      <input
        id="composer-file"
        type="file"
        multiple
        class="file-input"
        onChange={(e) => {
          const el = e.currentTarget;
          const files = Array.from(el.files ?? []);
          el.value = '';
          onPicked();
          sendPickedFiles(convId, files);
        }}
      />
    </label>
  );
}

export function FileIcon({ size = 24 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width={1.7} stroke-linejoin="round" aria-hidden="true">
      <path d="M6.5 3h7.5l4.5 4.5V19.5a1.5 1.5 0 0 1-1.5 1.5h-10.5A1.5 1.5 0 0 1 5 19.5V4.5A1.5 1.5 0 0 1 6.5 3z" />
      <path d="M13.5 3v4.5H18.5M8.5 12.5h7M8.5 16h5" stroke-linecap="round" />
    </svg>
  );
}
