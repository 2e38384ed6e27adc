package chat

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

func (s *Service) checkSend(in SendInput) (SendInput, error) {
	if in.ClientID == "" || len(in.ClientID) > MaxClientID || strings.HasPrefix(in.ClientID, systemClientID) {
		return in, errs.Field("client_id", "client_id is required: up to %d characters that identify this message on the sending device.", MaxClientID)
	}
	if in.Kind == "" {
		in.Kind = KindText
	}
	switch in.Kind {
	case KindText:
		if strings.TrimSpace(in.Text) == "" {
			return in, errs.Field("text", "A text message needs text.")
		}
		if !utf8.ValidString(in.Text) {
			return in, errs.Field("text", "The text is not valid UTF-8.")
		}
		if n := utf8.RuneCountInString(in.Text); n > MaxText {
			return in, errs.Field("text", "A message has at most %d characters; this one has %d.", MaxText, n)
		}
		if in.MediaID != "" {
			return in, errs.Field("media_id", "A text message carries no media_id.")
		}
	case KindVoice, KindFile:
		if err := checkVoiceFile(in); err != nil {
			return in, err
		}
	case KindImage:
		if in.MediaID == "" {
			return in, errs.Field("media_id", "An image message needs the media_id of an upload.")
		}
		if utf8.RuneCountInString(in.Text) > MaxText {
			return in, errs.Field("text", "A caption has at most %d characters.", MaxText)
		}
	default:
		return in, errs.Field("kind", "kind must be text, image, voice or file.")
	}
	return in, nil
}

// Send appends a message from userID, durably, and pushes it to every
// member's devices. A client_id the sender already used in the
// conversation returns that message (created false) and sends nothing.
// Errors: invalid_argument, not_found (not a member), forbidden (an image
// the sender did not upload), blocked_by_policy (a trust policy blocks the
// sender for messaging in their region; nothing is written).
func (s *Service) Send(ctx context.Context, userID string, in SendInput) (Message, bool, error) {
	return s.StartSend(ctx, userID, in)()
}

// errShed refuses a send the node is too busy to take (nothing written;
// the client sends it again later with the same client_id).
var errShed = errs.E(errs.RateLimited, "Plaza is busy right now and did not take this message; send it again in a moment.")

// SendResult is a started send's outcome: Send's three results.
type SendResult func() (Message, bool, error)

// StartSend is Send in two steps, for a socket that keeps several sends
// in flight: it checks the message and queues it on the conversation's
// writer now (or refuses it), and the returned function waits for the
// commit and gives Send's results, once. Sends one caller starts one
// after another in a conversation get their seqs in that order.
func (s *Service) StartSend(ctx context.Context, userID string, in SendInput) SendResult {
	refused := func(err error) SendResult { return func() (Message, bool, error) { return Message{}, false, err } }
	in, err := s.checkSend(in)
	if err != nil {
		return refused(err)
	}
	if in.Mentions, err = s.checkMentions(ctx, userID, in.ConversationID, in.Mentions); err != nil {
		return refused(err)
	}
	if s.policies != nil {
		if err := s.policies.Check(ctx, trust.Question{UserID: userID, Target: trust.Target{Type: trust.TargetUser, ID: userID}, Scope: trust.ScopeMessaging}); err != nil {
			return refused(err)
		}
	}
	if err := s.refuseBlocked(ctx, s.db, in.ConversationID, userID); err != nil {
		return refused(err)
	}
	var media VoiceFile
	if in.Kind == KindImage || in.Kind == KindVoice || in.Kind == KindFile {
		if media, err = s.sendMedia(ctx, userID, in); err != nil {
			return refused(err)
		}
	}
	// The sender's profile is looked up before the batch, so that the
	// message can be published from the batch's after-commit hook: hooks
	// run in commit order, so one node publishes a conversation's
	// messages in seq order (the hubs' sequencers do the rest).
	sender, err := s.users.one(ctx, userID)
	if err != nil {
		return refused(err)
	}
	quote, err := s.quoteFor(ctx, in.ConversationID, in.ReplyTo) // for the live frame (actions.go)
	if err != nil {
		return refused(err)
	}
	var (
		msg     Message
		created bool
		// made is the new message as its members get it (sender, quote
		// and mentions filled), which is also the answer: no reads after
		// the commit.
		made Message
	)
	bctx := context.WithoutCancel(ctx)
	// Send refuses only before it writes, so it may share a transaction
	// without a savepoint of its own.
	// Under an overload a send is refused at once (429, nothing written;
	// the client sends it again with the same client_id) instead of
	// waiting behind a queue that only grows.
	var ahead *sqldb.Ahead
	var row *pgSendRow
	if s.db.Dialect == sqldb.Postgres && in.MediaID == "" && in.ReplyTo == "" && media == (VoiceFile{}) {
		ahead, row = s.sendAhead(userID, in)
	}
	wait := s.batch.StartCheckedOrShedAhead(ctx, in.ConversationID, ahead, func(_ context.Context, tx *sqldb.Tx) error {
		msg, created = Message{}, false
		var recipients []string
		if ahead != nil {
			m, members, prior, err := row.result(tx.Ahead(bctx), userID, in)
			if err != nil || prior {
				msg = m
				return err
			}
			msg, recipients = m, members
		} else {
			prior, err := sendCheck(bctx, tx, in.ConversationID, userID, in.ClientID)
			if err != nil || prior != nil {
				if prior != nil {
					msg = *prior
				}
				return err
			}
			if err := checkReply(bctx, tx, in.ConversationID, userID, in.ReplyTo); err != nil {
				return err
			}
			msg, recipients, err = s.appendMessage(bctx, tx, Message{
				ConversationID: in.ConversationID, Sender: Sender{ID: userID}, Kind: in.Kind,
				Text: in.Text, ClientID: in.ClientID, MediaID: in.MediaID, replyToID: in.ReplyTo, VoiceFile: media,
			})
			if err != nil {
				return err
			}
		}
		if err := s.saveMentions(bctx, tx, &msg, in.Mentions); err != nil {
			return err
		}
		created = true
		filled := s.fillSender(msg, sender)
		filled.ReplyTo = quote
		made = filled
		tx.AfterCommit(func() { s.deliver(bctx, recipients, []Message{filled}) })
		return nil
	})
	return func() (Message, bool, error) {
		err := wait()
		if errors.Is(err, sqldb.ErrOverloaded) {
			s.shed.Add(1)
			return Message{}, false, errShed
		}
		if err != nil {
			return Message{}, false, err
		}
		if created {
			return made, true, nil
		}
		filled, err := s.fill(ctx, []Message{msg}) // the earlier message of this client_id
		if err != nil {
			return Message{}, false, err
		}
		return filled[0], false, nil
	}
}

// Post appends a message that another component makes (a red packet, a
// transfer) on behalf of senderID, who must be a member. clientID makes it
// idempotent. Errors: not_found.
func (s *Service) Post(ctx context.Context, tx *sqldb.Tx, convID, senderID, kind, text, refID, clientID string) (Message, error) {
	if _, err := membership(ctx, tx, convID, senderID); err != nil {
		return Message{}, err
	}
	if err := s.refuseBlocked(ctx, tx, convID, senderID); err != nil {
		return Message{}, err
	}
	prior, err := queryMessages(ctx, tx, selectByClient, convID, senderID, clientID)
	if err != nil || len(prior) == 1 {
		if len(prior) == 1 {
			return s.fillOne(ctx, prior[0])
		}
		return Message{}, err
	}
	m, recipients, err := s.appendMessage(ctx, tx, Message{ConversationID: convID, Sender: Sender{ID: senderID},
		Kind: kind, Text: text, ClientID: clientID, refID: refID})
	if err != nil {
		return Message{}, err
	}
	filled, err := s.fillOne(ctx, m)
	if err != nil {
		return Message{}, err
	}
	tx.AfterCommit(func() { s.deliver(context.Background(), recipients, []Message{filled}) })
	return filled, nil
}

// appendMessage gives m the conversation's next seq and writes it, and
// marks it read for its sender; it returns the members to deliver it to.
// It must run inside the transaction (or batch) that commits it.
func (s *Service) appendMessage(ctx context.Context, tx *sqldb.Tx, m Message) (Message, []string, error) {
	now := s.now()
	if m.MediaID != "" {
		// Sent now: out of the unsent quota and safe from the cleanup (if
		// the cleanup took it first, the send fails, having written nothing).
		res, err := tx.Exec(ctx, markMediaSent, sqldb.Micro(now), m.MediaID)
		if err != nil {
			return Message{}, nil, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return Message{}, nil, errs.Field("media_id", "No upload of yours has that media_id.")
		}
	}
	if err := tx.QueryRow(ctx, nextSeq, sqldb.Micro(now), m.ConversationID).Scan(&m.Seq); err != nil {
		return Message{}, nil, err
	}
	m.ID = ids.New("m")
	m.CreatedAt = sqldb.FromMicro(sqldb.Micro(now))
	args := []any{m.ID, m.ConversationID, m.Seq, m.Sender.ID, m.Kind, m.Text,
		m.ClientID, nullable(m.MediaID), nullable(m.refID), sqldb.Micro(now), nullable(m.replyToID)}
	args = append(args, m.VoiceFile.args()...)
	if _, err := tx.Exec(ctx, insertMessage, args...); err != nil {
		if sqldb.IsUniqueViolation(err) {
			return Message{}, nil, errs.E(errs.Conflict, "That client_id was just used; send again to get its message.")
		}
		return Message{}, nil, err
	}
	if s.indexAtCommit {
		tx.BeforeCommit("chat.search", indexPending)
	}
	// The sender has read their own message. Nothing in the transaction
	// reads it back, so on PostgreSQL it goes with the commit (Later);
	// the statement only ever raises read_seq, in order.
	if err := tx.Later(ctx, advanceRead, m.Seq, m.ConversationID, m.Sender.ID, m.Seq); err != nil {
		return Message{}, nil, err
	}
	recipients, err := memberIDs(ctx, tx, m.ConversationID)
	return m, recipients, err
}

// pgSend is a plain send on PostgreSQL in one statement (one round trip
// instead of four): is the sender a member, did they already send this
// client_id (then that message, and nothing written), else take the next
// seq, insert the message, mark it read for its sender, and return the
// members to deliver it to. No row: not a member.
const pgSend = `WITH chk AS (
	SELECT g.id AS gid, g.seq AS gseq, g.kind AS gkind, g.text AS gtext, g.media_id AS gmedia, g.ref_id AS gref,
		g.created_at AS gcreated, g.reply_to_id AS greply, g.duration_ms AS gdur, g.media_name AS gname,
		g.media_size AS gsize, g.media_type AS gtype
	FROM members m LEFT JOIN messages g
		ON g.conversation_id = m.conversation_id AND g.sender_id = m.user_id AND g.client_id = $1
	WHERE m.conversation_id = $2 AND m.user_id = $3
), bump AS (
	UPDATE conversations SET last_seq = last_seq + 1, updated_at = $4
	WHERE id = $2 AND EXISTS (SELECT 1 FROM chk WHERE gid IS NULL)
	RETURNING last_seq
), ins AS (
	INSERT INTO messages (` + messageColumns + `)
	SELECT $5, $2, last_seq, $3, $6, $7, $1, NULL, NULL, $4, NULL, NULL, NULL, NULL, NULL FROM bump
	RETURNING seq
), rd AS (
	UPDATE members SET read_seq = ins.seq FROM ins
	WHERE members.conversation_id = $2 AND members.user_id = $3 AND members.read_seq < ins.seq
)
SELECT chk.*, (SELECT seq FROM ins),
	(SELECT string_agg(user_id, ',' ORDER BY joined_at, user_id) FROM members WHERE conversation_id = $2)
FROM chk`

// pgSendRow is what pgSend returns, and the id and time it writes.
type pgSendRow struct {
	id                                 string
	now                                int64
	gid, kind, text, media, ref, reply sql.NullString
	gseq, created, seq                 sql.NullInt64
	memberList                         sql.NullString
	vf                                 voiceFileScan
}

// sendAhead is pgSend for a text message without media or reply, as the
// send job's statement ahead (a batch sends those of all its sends in one
// round trip); its id and time are taken in the batch's order, just
// before it is sent, so that they follow the seqs.
func (s *Service) sendAhead(userID string, in SendInput) (*sqldb.Ahead, *pgSendRow) {
	r := &pgSendRow{}
	a := &sqldb.Ahead{Query: pgSend}
	a.Dest = append([]any{&r.gid, &r.gseq, &r.kind, &r.text, &r.media, &r.ref, &r.created, &r.reply}, r.vf.dest()...)
	a.Dest = append(a.Dest, &r.seq, &r.memberList)
	a.Before = func() {
		r.id, r.now = ids.New("m"), sqldb.Micro(s.now())
		a.Args = []any{in.ClientID, in.ConversationID, userID, r.now, r.id, in.Kind, in.Text}
	}
	return a, r
}

// result reads pgSend's outcome (err from Tx.Ahead): the message, its
// members, and prior when the client_id had been sent already (the
// earlier message; nothing written).
func (r *pgSendRow) result(err error, userID string, in SendInput) (m Message, members []string, prior bool, _ error) {
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Message{}, nil, false, errNoConversation
	case sqldb.IsUniqueViolation(err):
		return Message{}, nil, false, errs.E(errs.Conflict, "That client_id was just used; send again to get its message.")
	case err != nil:
		return Message{}, nil, false, err
	case r.gid.Valid:
		m = Message{ID: r.gid.String, ConversationID: in.ConversationID, Seq: r.gseq.Int64, Sender: Sender{ID: userID}, Kind: r.kind.String,
			Text: r.text.String, ClientID: in.ClientID, MediaID: r.media.String, refID: r.ref.String, CreatedAt: sqldb.FromMicro(r.created.Int64),
			replyToID: r.reply.String}
		r.vf.set(&m)
		return m, nil, true, nil
	case !r.seq.Valid:
		return Message{}, nil, false, fmt.Errorf("chat: send to %s took no seq", in.ConversationID)
	}
	m = Message{ID: r.id, ConversationID: in.ConversationID, Seq: r.seq.Int64, Sender: Sender{ID: userID}, Kind: in.Kind,
		Text: in.Text, ClientID: in.ClientID, CreatedAt: sqldb.FromMicro(r.now)}
	return m, strings.Split(r.memberList.String, ","), false, nil
}

// Messages lists a conversation's messages in seq order: those after
// afterSeq when it is 0 or more (sync; 0 is from the start), else those
// before beforeSeq when it is more than 0, else the latest. next_cursor,
// for a sync, is the after_seq of the following page. Errors: not_found,
// invalid_argument.
func (s *Service) Messages(ctx context.Context, userID, convID string, afterSeq, beforeSeq int64, limit int) ([]Message, string, error) {
	me, err := membership(ctx, s.db, convID, userID)
	if err != nil {
		return nil, "", err
	}
	// A member who joined a group later sees it from their joining on.
	from := me.joinedSeq
	var (
		ms   []Message
		next string
	)
	switch {
	case afterSeq >= 0:
		ms, err = queryMessages(ctx, s.db, selectAfter, convID, max(afterSeq, from-1), limit+1)
		if len(ms) > limit {
			ms = ms[:limit]
			next = strconv.FormatInt(ms[limit-1].Seq, 10)
		}
	case beforeSeq > 0:
		ms, err = queryMessages(ctx, s.db, selectBefore, convID, beforeSeq, from, limit)
		slices.Reverse(ms)
	default:
		ms, err = queryMessages(ctx, s.db, selectBefore, convID, int64(1<<62), from, limit)
		slices.Reverse(ms)
	}
	if err != nil {
		return nil, "", err
	}
	filled, err := s.fill(ctx, ms)
	if err == nil {
		err = s.maskHidden(ctx, userID, filled) // delete for me (actions.go)
	}
	return filled, next, err
}

// MarkRead records that userID has read up to seq (never backwards) and
// tells the members. Errors: not_found, invalid_argument (seq beyond the
// last message).
func (s *Service) MarkRead(ctx context.Context, userID, convID string, seq int64) error {
	var recipients []string
	var moved bool
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		c, err := s.memberConversation(ctx, tx, convID, userID)
		if err != nil {
			return err
		}
		if seq < 1 || seq > c.lastSeq {
			return errs.Field("seq", "seq must be between 1 and the conversation's last_seq (%d).", c.lastSeq)
		}
		res, err := tx.Exec(ctx, advanceRead, seq, convID, userID, seq)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		moved = n == 1
		recipients, err = memberIDs(ctx, tx, convID)
		return err
	})
	if err != nil || !moved {
		return err
	}
	s.publish(recipients, frame{Type: "read", ConversationID: convID, UserID: userID, Seq: seq})
	return nil
}

// fill adds senders and media URLs.
func (s *Service) fill(ctx context.Context, ms []Message) ([]Message, error) {
	idList := make([]string, len(ms))
	for i, m := range ms {
		idList[i] = m.Sender.ID
	}
	users, err := s.users.many(ctx, idList)
	if err != nil {
		return nil, err
	}
	out := make([]Message, len(ms))
	for i, m := range ms {
		out[i] = s.fillSender(m, users[m.Sender.ID])
	}
	if err := s.fillMentions(ctx, out); err != nil {
		return nil, err
	}
	return out, s.fillQuotes(ctx, out) // reply_to (actions.go)
}

// fillSender adds the sender u and media URL to m.
func (s *Service) fillSender(m Message, u account.User) Message {
	m.Sender = Sender{ID: m.Sender.ID, Username: u.Username, DisplayName: u.DisplayName}
	if m.MediaID != "" {
		m.MediaURL = "/api/v1/media/" + m.MediaID
	}
	switch m.Kind {
	case KindRedPacket, KindRedPacketOpened:
		m.RedPacketID = m.refID
	case KindTransfer:
		m.TransactionID = m.refID
	}
	return m
}

func (s *Service) fillOne(ctx context.Context, m Message) (Message, error) {
	out, err := s.fill(ctx, []Message{m})
	if err != nil {
		return Message{}, err
	}
	return out[0], nil
}
