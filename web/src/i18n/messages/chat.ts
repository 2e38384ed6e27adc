import { defineMessages } from '../define';

// The chat domain's strings.
export const chat = defineMessages(
  {
    'chat.placeholder': '',
  },
  {
    'chat.placeholder': '',
  },
);
