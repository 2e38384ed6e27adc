import { defineMessages } from '../define';

// The notify domain's strings.
export const notify = defineMessages(
  {
    'notify.placeholder': '',
  },
  {
    'notify.placeholder': '',
  },
);
