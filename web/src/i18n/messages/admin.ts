import { defineMessages } from '../define';

// The admin domain's strings.
export const admin = defineMessages(
  {
    'admin.placeholder': '',
  },
  {
    'admin.placeholder': '',
  },
);
