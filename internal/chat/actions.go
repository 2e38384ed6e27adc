package chat

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

// Message actions: quote-reply, forward, recall, delete for me.
//
// A quote is kept as the quoted message's id (messages.reply_to_id) and
// read when the message is: a quote of a message recalled or erased since
// shows that kind and no text. A recall empties the row (text, media,
// quote) for good and tells every device with a "recalled" frame, which
// the hubs deliver after the message itself (actions_order.go), so no
// device sees a recall before the message or the message after its recall.
// Delete for me is a row in hidden_messages; the caller's history shows a
// hidden message as kind "hidden", with no content, so seqs stay gapless.

// Kinds of this file.
const (
	KindRecalled = "recalled"
	// KindHidden is how a message the caller deleted for themselves
	// appears in their own history: id, seq and time, nothing else.
	KindHidden = "hidden"
)

// Limits and codes of the actions.
const (
	RecallWindow      = 2 * time.Minute
	MaxForwardIDs     = 20  // messages one forward copies…
	MaxForwardTargets = 10  // …into at most this many conversations
	MaxQuoteText      = 140 // characters of a quoted message's text
	forwardClientID   = "fwd:"

	CodeRecallWindowPassed = "recall_window_passed" // 422: older than RecallWindow
	CodeNotRecallable      = "not_recallable"       // 422: a system, money or erased message
)

func init() {
	errs.Register(CodeRecallWindowPassed, http.StatusUnprocessableEntity)
	errs.Register(CodeNotRecallable, http.StatusUnprocessableEntity)
}

// notForwardable are the kinds a forward refuses: money (a red packet or
// transfer is the sender's to give), system notes, and messages whose
// content is gone. Every other kind (text, image, voice, file, …) is
// copied whole: kind, text, media and whatever other fields the kind
// keeps on its Message.
var notForwardable = map[string]bool{KindRedPacket: true, KindRedPacketOpened: true, KindTransfer: true, KindSystem: true,
	KindRecalled: true, KindErased: true, KindHidden: true}

// recallClears is what a recall sets on the row: the content of every kind
// goes. A kind that keeps more content in columns of its own adds them here
// (e.g. a file's name).
var recallClears = []string{"kind = 'recalled'", "text = ''", "media_id = NULL", "ref_id = NULL", "reply_to_id = NULL",
	"duration_ms = NULL", "media_name = NULL", "media_size = NULL", "media_type = NULL"}

// The actions' statements.
const (
	selectMessageByID = `SELECT ` + messageColumns + ` FROM messages WHERE id = ?`
	// selectMessagesByID + inList(n): n messages by id.
	selectMessagesByID = `SELECT ` + messageColumns + ` FROM messages WHERE id IN `
	// A quote must be of the same conversation, of a message the sender
	// sees (from their joining on).
	selectQuotable = `SELECT g.kind FROM messages g JOIN members m ON m.conversation_id = g.conversation_id AND m.user_id = ?
		WHERE g.id = ? AND g.conversation_id = ? AND g.seq >= m.joined_seq`
	countMediaUses  = `SELECT COUNT(*) FROM messages WHERE media_id = ?`
	selectMediaSum  = `SELECT sha256 FROM media WHERE id = ?`
	deleteMediaByID = `DELETE FROM media WHERE id = ?`
	insertHidden    = `INSERT INTO hidden_messages (message_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`
	// selectHiddenOf + inList(n): which of n messages userID hid.
	selectHiddenOf = `SELECT message_id FROM hidden_messages WHERE user_id = ? AND message_id IN `
)

func recallStatement() string {
	return `UPDATE messages SET ` + strings.Join(recallClears, ", ") + `, recalled_at = ? WHERE id = ? AND kind = ?`
}

// Quote is the message a reply quotes, as its readers see it.
type Quote struct {
	ID     string `json:"id"`
	Seq    int64  `json:"seq"`
	Sender Sender `json:"sender"`
	Kind   string `json:"kind"`
	Text   string `json:"text"`
}

// checkReply refuses a reply_to that is not a message of convID that
// userID sees (invalid_argument, whichever conversation it is really in),
// or one with nothing left to quote. "" passes.
func checkReply(ctx context.Context, q sqldb.Querier, convID, userID, replyTo string) error {
	if replyTo == "" {
		return nil
	}
	var kind string
	if err := q.QueryRow(ctx, selectQuotable, userID, replyTo, convID).Scan(&kind); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Field("reply_to", "reply_to is not a message of this conversation.")
		}
		return err
	}
	if kind == KindRecalled || kind == KindErased {
		return errs.Field("reply_to", "That message was recalled; there is nothing to quote.")
	}
	return nil
}

// fillQuotes sets ReplyTo on the messages that quote one, with one query
// for all of them.
func (s *Service) fillQuotes(ctx context.Context, ms []Message) error {
	var want []any
	for _, m := range ms {
		if m.replyToID != "" && m.Kind != KindRecalled && m.Kind != KindErased {
			want = append(want, m.replyToID)
		}
	}
	if len(want) == 0 {
		return nil
	}
	quoted, err := queryMessages(ctx, s.db, selectMessagesByID+inList(len(want)), want...)
	if err != nil {
		return err
	}
	senders := make([]string, len(quoted))
	for i, q := range quoted {
		senders[i] = q.Sender.ID
	}
	users, err := s.users.many(ctx, senders)
	if err != nil {
		return err
	}
	byID := make(map[string]*Quote, len(quoted))
	convOf := make(map[string]string, len(quoted))
	for _, q := range quoted {
		u := users[q.Sender.ID]
		convOf[q.ID] = q.ConversationID
		byID[q.ID] = &Quote{ID: q.ID, Seq: q.Seq, Kind: q.Kind, Text: quoteText(q),
			Sender: Sender{ID: q.Sender.ID, Username: u.Username, DisplayName: u.DisplayName}}
	}
	for i := range ms {
		if q := byID[ms[i].replyToID]; q != nil && convOf[q.ID] == ms[i].ConversationID {
			ms[i].ReplyTo = q
		}
	}
	return nil
}

// quoteText is the start of a quoted message's text, whole words where it
// can, with an ellipsis when cut; none for a message whose content is gone.
func quoteText(m Message) string {
	if m.Kind == KindRecalled || m.Kind == KindErased {
		return ""
	}
	t := strings.Join(strings.Fields(m.Text), " ")
	if utf8.RuneCountInString(t) <= MaxQuoteText {
		return t
	}
	r := []rune(t)[:MaxQuoteText]
	if i := strings.LastIndexByte(string(r), ' '); i > MaxQuoteText*2/3 {
		return string(r)[:i] + "…"
	}
	return string(r) + "…"
}

// visibleMessage is message msgID if userID sees it (a member, from their
// joining on); not_found otherwise, whoever's it is.
func visibleMessage(ctx context.Context, q sqldb.Querier, userID, msgID string) (Message, error) {
	ms, err := queryMessages(ctx, q, selectMessageByID, msgID)
	if err != nil {
		return Message{}, err
	}
	noMessage := errs.E(errs.NotFound, "No such message.")
	if len(ms) == 0 {
		return Message{}, noMessage
	}
	me, err := membership(ctx, q, ms[0].ConversationID, userID)
	if errs.Is(err, errs.NotFound) || (err == nil && ms[0].Seq < me.joinedSeq) {
		return Message{}, noMessage
	}
	return ms[0], err
}

// Recall takes back a message its sender sent less than RecallWindow ago:
// the row keeps its id, seq and time, becomes kind "recalled" and loses
// its text, media and quote (an upload no other message carries is deleted,
// row and bytes); every member's devices get a "recalled" frame. Recalling
// a recalled message returns it and tells no one again. Errors: not_found,
// forbidden (someone else's), recall_window_passed, not_recallable.
func (s *Service) Recall(ctx context.Context, userID, msgID string) (Message, error) {
	var (
		out        Message
		recipients []string
		orphanSum  string
		changed    bool
	)
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		m, err := visibleMessage(ctx, tx, userID, msgID)
		if err != nil {
			return err
		}
		out, changed = m, false
		if m.Kind == KindRecalled {
			return nil
		}
		if m.Sender.ID != userID {
			return errs.E(errs.Forbidden, "Only its sender can recall a message.")
		}
		if notForwardable[m.Kind] {
			return errs.E(CodeNotRecallable, "A %s message cannot be recalled.", strings.ReplaceAll(m.Kind, "_", " "))
		}
		now := s.now()
		if now.Sub(m.CreatedAt) > RecallWindow {
			return errs.E(CodeRecallWindowPassed, "Messages can be recalled within %d minutes of sending; this one is older.", int(RecallWindow/time.Minute))
		}
		res, err := tx.Exec(ctx, recallStatement(), sqldb.Micro(now), m.ID, m.Kind)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E(errs.Conflict, "The message changed meanwhile; try again.")
		}
		if m.MediaID != "" {
			if orphanSum, err = s.dropMediaIfUnused(ctx, tx, m.MediaID); err != nil {
				return err
			}
		}
		joins, err := memberJoins(ctx, tx, m.ConversationID)
		if err != nil {
			return err
		}
		recipients = recipients[:0]
		for _, j := range joins {
			if j.joined <= m.Seq {
				recipients = append(recipients, j.user)
			}
		}
		out = Message{ID: m.ID, ConversationID: m.ConversationID, Seq: m.Seq, Sender: m.Sender, Kind: KindRecalled,
			ClientID: m.ClientID, CreatedAt: m.CreatedAt}
		changed = true
		return nil
	})
	if err != nil {
		return Message{}, err
	}
	if orphanSum != "" {
		s.deleteBlobIfUnused(ctx, orphanSum)
	}
	if changed {
		s.publishAfter(recipients, out.ConversationID, out.Seq,
			frame{Type: "recalled", ConversationID: out.ConversationID, MessageID: out.ID, Seq: out.Seq})
	}
	return s.fillOne(ctx, out)
}

// dropMediaIfUnused deletes the media row mediaID when no message carries
// it any more (forwarded copies keep it), returning its sha256 so the
// bytes can go once the transaction commits.
func (s *Service) dropMediaIfUnused(ctx context.Context, tx *sqldb.Tx, mediaID string) (string, error) {
	var uses int
	if err := tx.QueryRow(ctx, countMediaUses, mediaID).Scan(&uses); err != nil || uses > 0 {
		return "", err
	}
	var sum string
	if err := tx.QueryRow(ctx, selectMediaSum, mediaID).Scan(&sum); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
		return "", err
	}
	_, err := tx.Exec(ctx, deleteMediaByID, mediaID)
	return sum, err
}

// deleteBlobIfUnused deletes stored bytes no upload refers to any more
// (blob files; bytes kept in the database went with their row).
func (s *Service) deleteBlobIfUnused(ctx context.Context, sum string) {
	deleter, files := s.blobs.(interface{ Delete(sum string) error })
	if !files {
		return
	}
	s.blobMu.Lock()
	defer s.blobMu.Unlock()
	var left int
	if err := s.db.QueryRow(ctx, countMediaBySum, sum).Scan(&left); err == nil && left == 0 {
		err = deleter.Delete(sum)
		if err != nil {
			s.log.Warn("deleting a recalled upload's bytes", "err", err)
		}
	}
}

// Hide deletes a message for userID only: their history shows it as kind
// "hidden" from now on, and their other devices get a "hidden" frame.
// Errors: not_found.
func (s *Service) Hide(ctx context.Context, userID, msgID string) error {
	m, err := visibleMessage(ctx, s.db, userID, msgID)
	if err != nil {
		return err
	}
	if _, err := s.db.Exec(ctx, insertHidden, m.ID, userID); err != nil {
		return err
	}
	s.publishAfter([]string{userID}, m.ConversationID, m.Seq,
		frame{Type: "hidden", ConversationID: m.ConversationID, MessageID: m.ID, Seq: m.Seq})
	return nil
}

// maskHidden turns the messages userID hid into KindHidden placeholders.
func (s *Service) maskHidden(ctx context.Context, userID string, ms []Message) error {
	if len(ms) == 0 {
		return nil
	}
	args := make([]any, 0, len(ms)+1)
	args = append(args, userID)
	for _, m := range ms {
		args = append(args, m.ID)
	}
	rows, err := s.db.Query(ctx, selectHiddenOf+inList(len(ms)), args...)
	if err != nil {
		return err
	}
	hidden, err := sqldb.ScanAll(rows, scanString)
	if err != nil || len(hidden) == 0 {
		return err
	}
	for i, m := range ms {
		if slices.Contains(hidden, m.ID) {
			ms[i] = Message{ID: m.ID, ConversationID: m.ConversationID, Seq: m.Seq, Sender: m.Sender, Kind: KindHidden,
				ClientID: m.ClientID, CreatedAt: m.CreatedAt}
		}
	}
	return nil
}

// ForwardInput is what to forward where; Key (the Idempotency-Key, may be
// "") makes a retry return the copies the first call made.
type ForwardInput struct {
	MessageIDs      []string `json:"message_ids"`
	ConversationIDs []string `json:"conversation_ids"`
	Key             string   `json:"-"`
}

// Forward copies messages userID sees into conversations userID is in, as
// new messages of userID's, oldest first, in one transaction (all or
// nothing), and delivers them. With a key, each copy's client_id derives
// from (key, message), so a retry posts nothing twice (created false when
// every copy existed). Errors: invalid_argument (empty, over the limits, a
// kind that cannot be forwarded), not_found (a message or conversation
// the caller does not see), blocked_by_policy.
func (s *Service) Forward(ctx context.Context, userID string, in ForwardInput) ([]Message, bool, error) {
	msgIDs, targets := dedupe(in.MessageIDs), dedupe(in.ConversationIDs)
	if len(msgIDs) == 0 || len(msgIDs) > MaxForwardIDs {
		return nil, false, errs.Field("message_ids", "Forward 1 to %d messages at a time.", MaxForwardIDs)
	}
	if len(targets) == 0 || len(targets) > MaxForwardTargets {
		return nil, false, errs.Field("conversation_ids", "Forward to 1 to %d chats at a time.", MaxForwardTargets)
	}
	if len(in.Key) > 255 {
		return nil, false, errs.E(errs.InvalidArgument, "The Idempotency-Key header is longer than 255 characters.")
	}
	if s.policies != nil {
		if err := s.policies.Check(ctx, trust.Question{UserID: userID, Target: trust.Target{Type: trust.TargetUser, ID: userID}, Scope: trust.ScopeMessaging}); err != nil {
			return nil, false, err
		}
	}
	sender, err := s.users.one(ctx, userID)
	if err != nil {
		return nil, false, err
	}
	// Lock conversations in one order, so two forwards cannot deadlock.
	sort.Strings(targets)
	var (
		out     []Message
		created bool
	)
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		out, created = nil, false
		srcs := make([]Message, 0, len(msgIDs))
		for _, id := range msgIDs {
			m, err := visibleMessage(ctx, tx, userID, id)
			if err != nil {
				return err
			}
			if notForwardable[m.Kind] {
				return errs.Field("message_ids", "A %s message cannot be forwarded.", strings.ReplaceAll(m.Kind, "_", " "))
			}
			srcs = append(srcs, m)
		}
		sort.SliceStable(srcs, func(i, j int) bool { return srcs[i].CreatedAt.Before(srcs[j].CreatedAt) })
		for _, conv := range targets {
			if _, err := membership(ctx, tx, conv, userID); err != nil {
				return err
			}
		}
		for _, conv := range targets {
			var fresh []Message
			var recipients []string
			for _, src := range srcs {
				clientID := forwardClientID + ids.Token(12)
				if in.Key != "" {
					sum := sha256.Sum256([]byte(in.Key + "\x00" + src.ID))
					clientID = forwardClientID + base64.RawURLEncoding.EncodeToString(sum[:24])
					prior, err := queryMessages(ctx, tx, selectByClient, conv, userID, clientID)
					if err != nil {
						return err
					}
					if len(prior) == 1 {
						out = append(out, prior[0])
						continue
					}
				}
				c := src // every field of the kind, then made userID's own
				c.ID, c.ConversationID, c.Seq, c.Sender, c.ClientID = "", conv, 0, Sender{ID: userID}, clientID
				c.replyToID, c.ReplyTo, c.MediaURL = "", nil, ""
				m, to, err := s.appendMessage(ctx, tx, c)
				if err != nil {
					return err
				}
				recipients = to
				fresh = append(fresh, m)
				out = append(out, m)
				created = true
			}
			if len(fresh) > 0 {
				tx.AfterCommit(func() {
					filled := make([]Message, len(fresh))
					for i := range fresh {
						filled[i] = s.fillSender(fresh[i], sender)
					}
					s.deliver(context.Background(), recipients, filled)
				})
			}
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	filled, err := s.fill(ctx, out)
	return filled, created, err
}

func dedupe(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// publishAfter puts a frame about message seq of conv on the bus: each
// hub delivers it once that message has been delivered there.
func (s *Service) publishAfter(users []string, conv string, seq int64, f frame) {
	if len(users) == 0 || s.bus == nil {
		return
	}
	raw, err := json.Marshal(f)
	if err != nil {
		s.log.Error("encoding frame", "err", err)
		return
	}
	data, _ := json.Marshal(envelope{To: users, Conv: conv, Seq: seq, Frame: raw, After: true})
	if err := s.bus.Publish(DeliverSubject, data); err != nil {
		s.log.Warn("publishing frame", "err", err)
	}
}

// registerActions adds the message actions' routes.
func (h *Handler) registerActions(mux *http.ServeMux) {
	a := h.Auth.Required
	mux.Handle("POST /api/v1/messages/forward", a(h.forward))
	mux.Handle("POST /api/v1/messages/{id}/recall", a(h.recall))
	mux.Handle("DELETE /api/v1/messages/{id}", a(h.hide))
}

func (h *Handler) forward(w http.ResponseWriter, r *http.Request) error {
	var in ForwardInput
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	in.Key = r.Header.Get("Idempotency-Key")
	items, created, err := h.Service.Forward(r.Context(), httpx.Caller(r).UserID, in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	httpx.WriteJSON(w, status, map[string]any{"items": items})
	return nil
}

func (h *Handler) recall(w http.ResponseWriter, r *http.Request) error {
	m, err := h.Service.Recall(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"message": m})
	return nil
}

func (h *Handler) hide(w http.ResponseWriter, r *http.Request) error {
	if err := h.Service.Hide(r.Context(), httpx.Caller(r).UserID, r.PathValue("id")); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

// quoteFor is the quote of message replyTo for a message of convID, read
// before the send's transaction (which checks it may be quoted) so that the
// live frame carries it; nil when replyTo is "" or not of convID.
func (s *Service) quoteFor(ctx context.Context, convID, replyTo string) (*Quote, error) {
	if replyTo == "" {
		return nil, nil
	}
	m := Message{ConversationID: convID, replyToID: replyTo}
	ms := []Message{m}
	if err := s.fillQuotes(ctx, ms); err != nil {
		return nil, err
	}
	return ms[0].ReplyTo, nil
}
