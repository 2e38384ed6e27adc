package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/plaza-dev/plaza/internal/live"
)

// LiveRoomTitle is the demo's upcoming live room, Gadget Co.'s launch.
const LiveRoomTitle = "Nova 12 launch — live from the Gadget Co. studio"

// seedLive schedules Gadget Co.'s launch stream two hours from now, with
// the store's four products on its shelf; its orders are notified to the
// store's backend like the mini-program's own. A room that is there
// already (a second run) is kept.
func seedLive(ctx context.Context, s Services) error {
	var cfg struct {
		MchID string `json:"mchid"`
		Addr  string `json:"addr"`
	}
	b, err := os.ReadFile(StoreConfig(s.DataDir))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return err
	}
	dev, err := s.Accounts.UserByUsername(ctx, "gadgetco")
	if err != nil {
		return err
	}
	rooms, _, err := s.Live.Rooms(ctx, dev.ID, live.RoomFilter{MchID: cfg.MchID})
	if err != nil {
		return err
	}
	for _, r := range rooms {
		if r.Title == LiveRoomTitle && r.State != live.StateEnded {
			return nil
		}
	}
	upload := func(png []byte) string {
		if s.Chat == nil {
			return ""
		}
		m, err := s.Chat.Upload(ctx, dev.ID, "image/png", png)
		if err != nil {
			return ""
		}
		return m.ID
	}
	room, err := s.Live.CreateRoom(ctx, dev.ID, live.NewRoom{MchID: cfg.MchID, Title: LiveRoomTitle, CoverMediaID: upload(coverPicture(540, 720)),
		ScheduledAt: time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339), NotifyURL: "http://" + cfg.Addr + "/notify"})
	if err != nil {
		return fmt.Errorf("demo live room: %w", err)
	}
	item := func(sku, name string, price, stock int64, png []byte) live.ShelfInput {
		return live.ShelfInput{SKU: sku, Name: name, Price: live.Money{Amount: price, Currency: "CNY"}, Stock: stock, ImageMediaID: upload(png)}
	}
	_, err = s.Live.SetShelf(ctx, dev.ID, room.ID, live.Shelf{Items: []live.ShelfInput{
		item("phone", "Nova 12 phone", 199900, 50, phonePicture(480)),
		item("buds", "Pulse earbuds", 39900, 120, budsPicture(480)),
		item("watch", "Orbit watch", 89900, 30, watchPicture(480)),
		item("charger", "65 W charger", 14900, 200, chargerPicture(480)),
	}})
	return err
}
