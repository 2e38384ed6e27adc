import { Link } from '../router';
import { Page } from '../components/Page';
import { EmptyState } from '../components/EmptyState';
import { ChatsIcon, PlusCircleIcon } from '../components/Icons';

export function ChatsPage() {
  return (
    <Page
      title="Chats"
      action={
        <Link href="/contacts/new" class="icon-button" aria-label="Add contact">
          <PlusCircleIcon />
        </Link>
      }
    >
      <EmptyState icon={<ChatsIcon size={56} />} title="No chats yet — start one from Contacts">
        <p>Conversations with your friends will show up here.</p>
        <Link href="/contacts" class="button button-primary button-small">
          Open Contacts
        </Link>
      </EmptyState>
    </Page>
  );
}
