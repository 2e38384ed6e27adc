import { defineMessages } from '../define';

// The people domain's strings.
export const people = defineMessages(
  {
    'people.placeholder': '',
  },
  {
    'people.placeholder': '',
  },
);
