import { defineMessages } from '../define';

// The settings domain's strings.
export const settings = defineMessages(
  {
    'settings.placeholder': '',
  },
  {
    'settings.placeholder': '',
  },
);
