import { useEffect, useRef, useState } from 'preact/hooks';
import type { Id } from '../../api';
import { MAX_TEXT, sendImage, sendText } from '../../chat/send';
import { showToast } from '../../toast';
import { useStore } from '../../store';
import { t } from '../../i18n';
import { replyDrafts, setReply } from '../../chat/actions';
import { QuoteBar } from './Quote';
import { noteTyping } from '../../chat/presence';
import { ImageIcon, PlusIcon, RedPacketIcon, TransferIcon } from '../Icons';
import { FileTile } from './AttachPanel';
import { KeyboardIcon, MicIcon, VoiceRecorder } from './VoiceRecorder';
import type { ChatUser } from '../../chat/api';
import { MentionPicker } from './MentionPicker';

/** Unsent text per conversation, kept while moving around the app. */
const drafts = new Map<string, string>();

interface ComposerProps {
  convId: Id;
  /** "+" panel actions; the panel shows only the ones given. */
  onRedPacket?: () => void;
  onTransfer?: () => void;
  /** In a group: "@" offers its members (and All, for its owner and admins). */
  mention?: { members: ChatUser[]; me: Id; allowAll: boolean };
}

/** The "@query" being typed just before the caret, if any. */
function mentionQuery(el: HTMLTextAreaElement): { at: number; q: string } | null {
  const upto = el.value.slice(0, el.selectionStart ?? el.value.length);
  const at = upto.lastIndexOf('@');
  if (at < 0 || (at > 0 && !/\s/.test(upto[at - 1]))) return null;
  const q = upto.slice(at + 1);
  return /\s/.test(q) || q.length > 32 ? null : { at, q };
}

/**
 * A touch screen (a phone, a tablet): as in WeChat there, Enter breaks the
 * line and the Send button sends, and opening a chat leaves the keyboard
 * down. With a mouse and keyboard, Enter sends and the box takes focus.
 */
export const touchScreen = () => typeof matchMedia !== 'undefined' && matchMedia('(pointer: coarse)').matches;

// Browsers without CSS field-sizing grow the box by hand (up to its max-height).
const growsByItself = typeof CSS !== 'undefined' && CSS.supports?.('field-sizing', 'content');
function fit(el: HTMLTextAreaElement) {
  if (growsByItself) return;
  el.style.height = 'auto';
  el.style.height = el.scrollHeight + 'px';
}

/** Text box (Enter sends, Shift+Enter breaks the line), image picker, "+" panel, Send. */
export function Composer({ convId, onRedPacket, onTransfer, mention }: ComposerProps) {
  const input = useRef<HTMLTextAreaElement>(null);
  const [picking, setPicking] = useState<{ at: number; q: string } | null>(null);
  /** Display name → id of the members picked from "@" (kept while their "@Name" stays in the text). */
  const picked = useRef(new Map<string, string>());

  function onMentionInput(el: HTMLTextAreaElement) {
    if (mention) setPicking(mentionQuery(el));
  }

  function pickMention(id: string, name: string) {
    const el = input.current;
    if (!el || !picking) return;
    const end = picking.at + 1 + picking.q.length;
    el.value = el.value.slice(0, picking.at) + '@' + name + ' ' + el.value.slice(end);
    const caret = picking.at + name.length + 2;
    el.setSelectionRange(caret, caret);
    picked.current.set(name, id);
    setPicking(null);
    setHasText(true);
    el.focus();
  }
  const [hasText, setHasText] = useState(false);
  const [more, setMore] = useState(false);
  const reply = useStore(replyDrafts)[String(convId)];
  const [voice, setVoice] = useState(false);

  useEffect(() => setMore(false), [convId]);

  function pick(fn?: () => void) {
    setMore(false);
    fn?.();
  }

  useEffect(() => {
    const el = input.current;
    const k = String(convId);
    if (el) {
      el.value = drafts.get(k) ?? '';
      setHasText(el.value.trim() !== '');
      fit(el);
      // Opening a chat puts the caret in the box, but never pops a phone's keyboard.
      if (!touchScreen()) el.focus({ preventScroll: true });
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
      showToast(t('chat.composer.too_long', { max: MAX_TEXT }), 'error');
      return;
    }
    const mentions = [...picked.current].filter(([name]) => text.includes('@' + name)).map(([, id]) => id);
    picked.current.clear();
    setPicking(null);
    sendText(convId, text, reply, mentions);
    if (reply) setReply(convId, null);
    el.value = '';
    setHasText(false);
    fit(el);
    el.focus();
  }

  // Enter sends; Shift+Enter inserts a line break. Some input paths (CDP
  // key events, a few IMEs) deliver the Enter's line break as a separate
  // input even after keydown was cancelled, so swallow that one too.
  const swallowBreak = useRef(false);
  // An input method (pinyin, …) is composing: its Enter picks the text, it never sends.
  // Safari ends the composition before the Enter's keydown, so the flag outlives it by a tick.
  const composing = useRef(false);

  function onKeyDown(e: KeyboardEvent) {
    swallowBreak.current = false;
    if (picking && e.key === 'Escape') {
      e.preventDefault();
      setPicking(null);
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229 && !composing.current && !touchScreen()) {
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
    <div class="composer-dock">
      {reply && <QuoteBar convId={convId} q={reply} />}
      {mention && picking && (
        <MentionPicker
          members={mention.members}
          me={mention.me}
          query={picking.q}
          allowAll={mention.allowAll}
          onPick={pickMention}
          onClose={() => setPicking(null)}
        />
      )}
      <form
        class="composer"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <button
          type="button"
          id="composer-voice"
          class={'icon-button composer-voice' + (voice ? ' on' : '')}
          aria-label={voice ? t('chat.composer.to_text') : t('chat.composer.to_voice')}
          aria-pressed={voice}
          onClick={() => {
            setVoice((v) => !v);
            setMore(false);
          }}
        >
          {voice ? <KeyboardIcon size={26} /> : <MicIcon size={26} />}
        </button>
        <label class="icon-button composer-image" title={t('chat.composer.image')}>
          <ImageIcon size={26} />
          <span class="sr-only">{t('chat.composer.image')}</span>
          <input id="composer-image" type="file" accept="image/*" class="file-input" onChange={onFile} />
        </label>
        {voice && <VoiceRecorder convId={convId} />}
        <textarea
          hidden={voice}
          id="composer-input"
          ref={input}
          class="composer-input"
          rows={1}
          maxLength={MAX_TEXT}
          placeholder={t('chat.composer.placeholder')}
          aria-label={t('chat.composer.label')}
          enterkeyhint={touchScreen() ? 'enter' : 'send'}
          onCompositionStart={(e) => {
            composing.current = true;
            (e.currentTarget as HTMLElement).dataset.composing = '';
          }}
          onCompositionEnd={(e) => {
            const el = e.currentTarget as HTMLElement;
            window.setTimeout(() => {
              composing.current = false;
              delete el.dataset.composing;
            }, 0);
          }}
          onKeyDown={onKeyDown}
          onBeforeInput={onBeforeInput}
          onPaste={onPaste}
          onKeyUp={() => (swallowBreak.current = false)}
          onInput={(e) => {
            setHasText(e.currentTarget.value.trim() !== '');
            fit(e.currentTarget);
            noteTyping(convId, e.currentTarget.value);
            onMentionInput(e.currentTarget);
          }}
          onFocus={() => setMore(false)}
        />
        <button
          type="button"
          id="composer-more"
          class={'icon-button composer-more' + (more ? ' on' : '')}
          aria-label={t('chat.composer.more')}
          aria-expanded={more}
          aria-controls="composer-panel"
          onClick={() => setMore((v) => !v)}
        >
          <PlusIcon size={22} stroke-width={1.8} />
        </button>
        <button type="submit" id="composer-send" hidden={voice} class={'composer-send' + (hasText ? ' ready' : '')}>
          {t('chat.composer.send')}
        </button>
      </form>
      {more && (
        <div class="composer-panel" id="composer-panel">
          <label class="composer-tile" for="composer-image" onClick={() => setMore(false)}>
            <span class="composer-tile-icon">
              <ImageIcon size={28} />
            </span>
            <span>{t('chat.composer.album')}</span>
          </label>
          <FileTile convId={convId} onPicked={() => setMore(false)} />
          {onRedPacket && (
            <button type="button" id="send-red-packet" class="composer-tile" onClick={() => pick(onRedPacket)}>
              <span class="composer-tile-icon tile-red">
                <RedPacketIcon size={28} />
              </span>
              <span>{t('chat.composer.red_packet')}</span>
            </button>
          )}
          {onTransfer && (
            <button type="button" id="send-transfer" class="composer-tile" onClick={() => pick(onTransfer)}>
              <span class="composer-tile-icon tile-orange">
                <TransferIcon size={28} />
              </span>
              <span>{t('chat.composer.transfer')}</span>
            </button>
          )}
        </div>
      )}
    </div>
  );
}
