// A room's live state for a page: GET the room, join it over the socket
// (and again after every reconnect), fold its frames into LiveState, leave
// on unmount.
import { useEffect, useReducer, useState } from 'preact/hooks';
import { connection, listenFrames, listenReady, sendFrame } from '../chat/socket';
import { liveApi, type LiveComment, type Room } from './api';
import { addComments, emptyState, reduce, withRoom, type LiveFrame, type LiveState } from './logic';

type Action =
  | { kind: 'frame'; frame: LiveFrame }
  | { kind: 'room'; room: Room }
  | { kind: 'comments'; items: LiveComment[] }
  | { kind: 'set'; fn: (s: LiveState) => LiveState };

export function useLive(roomId: string, me: string) {
  const [state, dispatch] = useReducer((s: LiveState, a: Action): LiveState => {
    switch (a.kind) {
      case 'frame':
        return reduce(s, a.frame, roomId, me);
      case 'room':
        return withRoom(s, a.room);
      case 'comments':
        return { ...s, comments: addComments(a.items, s.comments) };
      case 'set':
        return a.fn(s);
    }
  }, emptyState);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    liveApi.room(roomId).then(
      (r) => live && dispatch({ kind: 'room', room: r.room }),
      (err) => live && setError(err),
    );
    liveApi.comments(roomId, 30).then(
      (r) => live && dispatch({ kind: 'comments', items: r.items ?? [] }),
      () => undefined, // the joined frame brings them too
    );
    const join = () => sendFrame({ type: 'live_join', room_id: roomId });
    const offFrames = listenFrames((f) => {
      if (f.type === 'live') dispatch({ kind: 'frame', frame: f as unknown as LiveFrame });
    });
    const offReady = listenReady(join);
    if (connection.get() === 'ready') join();
    return () => {
      live = false;
      offFrames();
      offReady();
      sendFrame({ type: 'live_leave', room_id: roomId });
    };
  }, [roomId]);

  const update = (fn: (s: LiveState) => LiveState) => dispatch({ kind: 'set', fn });
  const refresh = () =>
    liveApi.room(roomId).then(
      (r) => dispatch({ kind: 'room', room: r.room }),
      () => undefined,
    );
  return { state, error, update, refresh };
}
