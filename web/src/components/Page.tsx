import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { Link } from '../router';
import { BackIcon } from './Icons';
import { t } from '../i18n';
import { usePane } from '../desktop';

interface PageProps {
  title: string;
  /** Path of the parent page; shows a back chevron when set. */
  back?: string;
  /** Right-hand action (an icon button or link). */
  action?: ComponentChildren;
  /** id for the back link (e.g. #conversation-back). */
  backId?: string;
  /** Thin bar under the title bar (e.g. the connection status). */
  banner?: ComponentChildren;
  /** A second line under the title (e.g. "Online", "typing…"). */
  subtitle?: ComponentChildren;
  /** Replace the default scrolling body (the conversation manages its own). */
  bare?: boolean;
  children: ComponentChildren;
  class?: string;
}

/**
 * A screen inside the app shell: title bar plus a scrolling body. On the
 * desktop a list page beside an open item leaves the window's title to the
 * item, and an item drops its back link when it leads to the list already
 * showing beside it.
 */
export function Page({ title, back, backId, banner, bare, action, subtitle, children, class: cls }: PageProps) {
  const pane = usePane();
  const quietTitle = pane.pane === 'list' && !!pane.itemOpen;
  useEffect(() => {
    if (quietTitle) return;
    document.title = title ? title + ' · Plaza' : 'Plaza';
  }, [title, quietTitle]);
  if (pane.pane === 'item' && back === pane.listPath) back = undefined;

  return (
    <section class={'page' + (cls ? ' ' + cls : '')}>
      <header class="title-bar">
        <div class="title-bar-side">
          {back && (
            <Link href={back} id={backId} class="icon-button back-button" aria-label={t('shell.page.back')}>
              <BackIcon />
            </Link>
          )}
        </div>
        <h1 class="title-bar-title">{title}</h1>
        <div class="title-bar-side title-bar-right">{action}</div>
        {subtitle}
      </header>
      {banner}
      {bare ? children : <div class="page-body">{children}</div>}
    </section>
  );
}
