import { defineMessages } from '../define';

// The discover domain's strings.
export const discover = defineMessages(
  {
    'discover.placeholder': '',
  },
  {
    'discover.placeholder': '',
  },
);
