package pay

import (
	"context"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// KindRedPacketOpened is the chat message a claim posts: "Bob opened
// Alice's Red Packet", sent by the opener, with the packet's id. Every
// member of the conversation has it (a direct chat's two members are
// exactly the sender and the opener, as WeChat shows it; a group's others
// see who opened, which the packet's claims already show them), and each
// client words it for its reader: "Bob opened your Red Packet" to the
// sender, "You opened Alice's Red Packet" to the opener.
const KindRedPacketOpened = "red_packet_opened"

// postOpened posts the opened note of a claim of p by openerID, in tx
// (the claim's transaction: the note exists exactly when the share was
// taken).
func (s *Service) postOpened(ctx context.Context, tx *sqldb.Tx, rpID string, p rpRow, openerID string) error {
	if s.convs == nil {
		return nil
	}
	name := func(id string) string { return id }
	if s.accounts != nil {
		if users, err := s.accounts.UsersByIDs(ctx, []string{openerID, p.senderID}); err == nil {
			name = func(id string) string {
				u := users[id]
				if n := strings.TrimSpace(u.DisplayName); n != "" {
					return n
				}
				if u.Username != "" {
					return u.Username
				}
				return "Someone"
			}
		}
	}
	text := name(openerID) + " opened " + name(p.senderID) + "'s Red Packet"
	_, err := s.convs.Post(ctx, tx, p.convID, openerID, KindRedPacketOpened, text, rpID, "rpo:"+rpID+":"+openerID)
	return err
}
