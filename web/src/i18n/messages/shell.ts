import { defineMessages } from '../define';

// The shell domain's strings.
export const shell = defineMessages(
  {
    'shell.placeholder': '',
  },
  {
    'shell.placeholder': '',
  },
);
