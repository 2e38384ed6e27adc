// Placeholder: the notifications owner replaces this with the Settings
// section for sound and system notifications.
export function NotificationSettings() {
  return null;
}
