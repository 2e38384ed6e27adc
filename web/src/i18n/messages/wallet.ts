import { defineMessages } from '../define';

// The wallet domain's strings.
export const wallet = defineMessages(
  {
    'wallet.placeholder': '',
  },
  {
    'wallet.placeholder': '',
  },
);
