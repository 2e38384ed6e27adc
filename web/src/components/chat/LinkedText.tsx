import { useMemo } from 'preact/hooks';
import { linkify } from '../../chat/linkify';

/** Message text with its links, addresses and numbers clickable (safely). */
export function LinkedText({ text }: { text: string }) {
  const parts = useMemo(() => linkify(text), [text]);
  return (
    <span class="bubble-text">
      {parts.map((p, i) =>
        p.type === 'text' ? (
          p.text
        ) : (
          <a
            key={i}
            class={'bubble-link link-' + p.type}
            href={p.href}
            {...(p.type === 'url' ? { target: '_blank', rel: 'noopener noreferrer' } : {})}
            onClick={(e) => e.stopPropagation()}
          >
            {p.text}
          </a>
        ),
      )}
    </span>
  );
}
