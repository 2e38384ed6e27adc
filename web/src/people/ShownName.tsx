import { useStore } from '../store';
import { directory, shownName } from './directory';

/** Someone's name as the caller sees it: their remark, else the display name. */
export function ShownName({ u }: { u: { username: string; display_name?: string } }) {
  const people = useStore(directory);
  return <>{shownName(people, u)}</>;
}
