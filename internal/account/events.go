package account

// SessionsEndedSubject is the bus subject on which the node announces the
// sessions that ended (SessionsEnded as JSON), so that every node closes
// their sockets.
const SessionsEndedSubject = "account.sessions_ended"

// SessionsEnded names the sessions that ended: one (SessionID), or every
// session of the user (SessionID ""; logout everywhere, erasure).
type SessionsEnded struct {
	UserID    string `json:"user_id"`
	SessionID string `json:"session_id,omitempty"`
	Erased    bool   `json:"erased,omitempty"`
}
