// Placeholder: the accessibility owner replaces this with the Settings
// section that chooses light, dark or the system's appearance.
export function ThemeSettings() {
  return null;
}
