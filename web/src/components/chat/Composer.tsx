import { useEffect, useRef, useState } from 'preact/hooks';
import type { Id } from '../../api';
import { MAX_TEXT, sendImage, sendText } from '../../chat/send';
import { showToast } from '../../toast';
import { ImageIcon } from '../Icons';

/** Unsent text per conversation, kept while moving around the app. */
const drafts = new Map<string, string>();

/** Text box (Enter sends, Shift+Enter breaks the line), image picker, Send. */
export function Composer({ convId }: { convId: Id }) {
  const input = useRef<HTMLTextAreaElement>(null);
  const [hasText, setHasText] = useState(false);

  useEffect(() => {
    const el = input.current;
    const k = String(convId);
    if (el) {
      el.value = drafts.get(k) ?? '';
      setHasText(el.value.trim() !== '');
    }
    return () => {
      if (el && el.value.trim()) drafts.set(k, el.value);
      else drafts.delete(k);
    };
  }, [convId]);

  function submit() {
    const el = input.current;
    if (!el) return;
    const text = el.value; // read from the DOM: works with scripted input too
    if (!text.trim()) {
      el.focus();
      return;
    }
    if (text.length > MAX_TEXT) {
      showToast('Messages can be up to ' + MAX_TEXT + ' characters.', 'error');
      return;
    }
    sendText(convId, text);
    el.value = '';
    setHasText(false);
    el.focus();
  }

  // Enter sends; Shift+Enter inserts a line break. Some input paths (CDP
  // key events, a few IMEs) deliver the Enter's line break as a separate
  // input even after keydown was cancelled, so swallow that one too.
  const swallowBreak = useRef(false);

  function onKeyDown(e: KeyboardEvent) {
    swallowBreak.current = false;
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      swallowBreak.current = true;
      submit();
    }
  }

  function onBeforeInput(e: InputEvent) {
    if (!swallowBreak.current) return;
    swallowBreak.current = false;
    if (e.inputType === 'insertLineBreak' || e.inputType === 'insertParagraph') e.preventDefault();
  }

  function sendFiles(files: File[]) {
    for (const f of files) {
      const problem = sendImage(convId, f);
      if (problem) showToast(problem, 'error');
    }
  }

  function onFile(e: Event) {
    const el = e.currentTarget as HTMLInputElement;
    const files = Array.from(el.files ?? []);
    el.value = '';
    sendFiles(files);
  }

  /** Pasting a screenshot sends it as an image. */
  function onPaste(e: ClipboardEvent) {
    const files = Array.from(e.clipboardData?.files ?? []).filter((f) => f.type.startsWith('image/'));
    if (files.length === 0) return;
    e.preventDefault();
    sendFiles(files);
  }

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label class="icon-button composer-image" title="Send an image">
        <ImageIcon size={26} />
        <span class="sr-only">Send an image</span>
        <input id="composer-image" type="file" accept="image/*" class="file-input" onChange={onFile} />
      </label>
      <textarea
        id="composer-input"
        ref={input}
        class="composer-input"
        rows={1}
        maxLength={MAX_TEXT}
        placeholder="Message"
        aria-label="Message"
        enterkeyhint="send"
        onKeyDown={onKeyDown}
        onBeforeInput={onBeforeInput}
        onPaste={onPaste}
        onKeyUp={() => (swallowBreak.current = false)}
        onInput={(e) => setHasText(e.currentTarget.value.trim() !== '')}
      />
      <button type="submit" id="composer-send" class={'composer-send' + (hasText ? ' ready' : '')}>
        Send
      </button>
    </form>
  );
}
