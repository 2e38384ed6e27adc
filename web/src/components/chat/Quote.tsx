import type { Id } from '../../api';
import type { Quote } from '../../chat/api';
import { jumpTo, quoteLine, setReply } from '../../chat/actions';
import { CloseIcon } from '../Icons';
import { t } from '../../i18n';

const who = (q: Quote) => q.sender.display_name || q.sender.username;

/** Above the composer while replying: the quoted message, with × to drop it. */
export function QuoteBar({ convId, q }: { convId: Id; q: Quote }) {
  return (
    <div class="quote-bar" id="quote-bar" data-quote-id={String(q.id)}>
      <span class="quote-bar-text">
        {t('chat.quote.line', { name: who(q), text: quoteLine(q) })}
      </span>
      <button type="button" class="icon-button quote-bar-close" aria-label={t('chat.quote.cancel')} onClick={() => setReply(convId, null)}>
        <CloseIcon size={16} />
      </button>
    </div>
  );
}

/** Under a reply's bubble: the quoted message; tapping it jumps there. */
export function BubbleQuote({ convId, q }: { convId: Id; q: Quote }) {
  const gone = q.kind === 'recalled' || q.kind === 'erased';
  return (
    <button
      type="button"
      class={'bubble-quote' + (gone ? ' gone' : '')}
      data-quote-seq={q.seq}
      onClick={(e) => {
        e.stopPropagation();
        void jumpTo(convId, q.seq);
      }}
    >
      <span class="bubble-quote-text">
        {gone ? quoteLine(q) : t('chat.quote.line', { name: who(q), text: quoteLine(q) })}
      </span>
    </button>
  );
}
