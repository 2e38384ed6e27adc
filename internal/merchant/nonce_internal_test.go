package merchant

import (
	"context"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// A request signed with a timestamp near the end of the window is still
// refused as a replay on a node whose clock is a few seconds behind the
// node that prunes nonces.
func TestNonceNotForgottenWhileATimestampIsValidOnAnotherNode(t *testing.T) {
	dbtest.Run(t, []sqldb.Migrations{Migrations}, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		t0 := time.Now()
		slow, fast := &testClock{t: t0}, &testClock{t: t0.Add(3 * time.Second)}
		a, b := outboxService(t, db, slow), outboxService(t, db, fast)
		pemText, _ := plazapay.PublicKeyPEM(&testKey.PublicKey) // the merchant signs with it too, for the test
		if _, err := db.Exec(ctx, `INSERT INTO merchants (mchid, name, region, owner_id, public_key_pem, serial_no, apiv3_key, created_at)
			VALUES ('1600000001', 'Tea', 'CN', 'u1', ?, 'AB01', '0123456789abcdefghijklmnopqrstuv', 0)`, string(pemText)); err != nil {
			t.Fatal(err)
		}
		auth := plazapay.Authorization{MchID: "1600000001", NonceStr: "NONCE0001", SerialNo: "AB01",
			Timestamp: strconv.FormatInt(t0.Unix()+299, 10)}
		uri := "/v3/pay/transactions/out-trade-no/X000001?mchid=1600000001"
		auth.Signature, _ = plazapay.Sign(testKey, plazapay.RequestMessage("GET", uri, auth.Timestamp, auth.NonceStr, nil))
		req := func() error {
			r := httptest.NewRequest("GET", uri, nil)
			r.Header.Set("Authorization", auth.String())
			_, err := a.verify(ctx, r, nil)
			return err
		}
		if err := req(); err != nil {
			t.Fatal(err)
		}
		slow.add(599 * time.Second) // still within 300 s of the timestamp
		fast.add(599 * time.Second)
		if err := b.PruneNonces(ctx); err != nil {
			t.Fatal(err)
		}
		if err := req(); err == nil {
			t.Fatal("a replayed request was accepted after another node pruned its nonce")
		}
	})
}
