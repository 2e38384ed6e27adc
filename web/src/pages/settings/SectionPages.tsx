import { t } from '../../i18n';
import { Page } from '../../components/Page';
import { NotificationSettings } from '../../notify/NotificationSettings';
import { ThemeSettings } from '../../theme/ThemeSettings';

/** Settings → Notifications: the notifications owner's section. */
export function NotificationsPage() {
  return (
    <Page title={t('settings.notifications.title')} back="/me/settings" backId="notifications-back">
      <NotificationSettings />
    </Page>
  );
}

/** Settings → Appearance: light, dark or the system's (the theme owner's section). */
export function AppearancePage() {
  return (
    <Page title={t('settings.appearance.title')} back="/me/settings" backId="appearance-back">
      <ThemeSettings />
    </Page>
  );
}
