package live

// realtime is the room's chat at live scale: which sockets on this node
// watch which room, and frames to everyone watching over the bus.
// (A stub until the realtime work lands: frames go nowhere.)
type realtime struct{ s *Service }

func newRealtime(s *Service, c Config) (*realtime, error) { return &realtime{s: s}, nil }

// broadcast sends a room event ({"type":"live","room_id","event",…}) to
// everyone watching the room on every node. must marks frames every
// viewer must get (showing, stock, ended); the others (comment, likes,
// viewers) a slow viewer may miss.
func (r *realtime) broadcast(roomID, event string, fields map[string]any, must bool) {}

// toUsers sends a room event to these users' sockets watching the room
// (the host's sale frames).
func (r *realtime) toUsers(roomID, event string, fields map[string]any, users ...string) {}

// viewers is the number watching the room across nodes, as last counted.
func (r *realtime) viewers(roomID string) int64 { return 0 }

// watching reports whether userID has a socket in the room (on any node).
func (r *realtime) watching(roomID, userID string) bool { return false }

// closeRoom tells everyone watching that the room ended and lets go of it.
func (r *realtime) closeRoom(roomID string) {}

func (r *realtime) close() {}
