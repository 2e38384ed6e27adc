import type { ComponentChildren } from 'preact';
import { Link } from '../router';
import { ChevronRightIcon } from './Icons';

// WeChat-style list cells: white rows with hairline separators, grouped.

export function CellGroup({ children, title, class: cls }: { children: ComponentChildren; title?: string; class?: string }) {
  return (
    <div class={'cell-group' + (cls ? ' ' + cls : '')}>
      {title && <div class="cell-group-title">{title}</div>}
      <div class="cell-group-body">{children}</div>
    </div>
  );
}

type CellProps = {
  /** Leading visual: an <Avatar/> or <CellIcon/>. */
  media?: ComponentChildren;
  title: ComponentChildren;
  subtitle?: ComponentChildren;
  /** Right-hand content (text, badge, buttons). */
  extra?: ComponentChildren;
  /** Navigate on click. */
  href?: string;
  onClick?: () => void;
  chevron?: boolean;
  class?: string;
  id?: string;
  'aria-label'?: string;
  /** data-* attributes (e.g. data-contact) are passed through. */
  [data: `data-${string}`]: string | undefined;
};

export function Cell({ media, title, subtitle, extra, href, onClick, chevron, class: cls, id, ...rest }: CellProps) {
  const inner = (
    <>
      {media && <span class="cell-media">{media}</span>}
      <span class="cell-main">
        <span class="cell-title">{title}</span>
        {subtitle && <span class="cell-subtitle">{subtitle}</span>}
      </span>
      {extra !== undefined && <span class="cell-extra">{extra}</span>}
      {chevron && <ChevronRightIcon class="cell-chevron" />}
    </>
  );
  const className = 'cell' + (href || onClick ? ' cell-link' : '') + (cls ? ' ' + cls : '');
  if (href) {
    return (
      <Link href={href} class={className} id={id} {...rest}>
        {inner}
      </Link>
    );
  }
  if (onClick) {
    return (
      <button type="button" class={className} id={id} onClick={onClick} {...rest}>
        {inner}
      </button>
    );
  }
  return (
    <div class={className} id={id} {...rest}>
      {inner}
    </div>
  );
}

/** Small coloured rounded square holding a white icon, used as cell media. */
export function CellIcon({ color, children }: { color: 'green' | 'orange' | 'blue' | 'indigo' | 'teal' | 'red'; children: ComponentChildren }) {
  return <span class={'cell-icon cell-icon-' + color}>{children}</span>;
}
