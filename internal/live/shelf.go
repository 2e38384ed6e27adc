package live

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Shelf limits.
const (
	MaxShelfItems = 50
	MaxPrice      = 1_000_000_000
	MaxStock      = 1_000_000
)

var skuRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// currencies are those a merchant order takes.
var currencies = map[string]bool{"CNY": true, "USD": true, "EUR": true, "HKD": true}

// Shelf is the body of PUT /live/rooms/{id}/shelf.
type Shelf struct {
	Items []ShelfInput `json:"items"`
}

// ShelfInput is one item as the host puts it. Stock is the number
// available to buy now: units held by unpaid orders are not counted in
// it, and come back to it if those orders expire.
type ShelfInput struct {
	SKU          string `json:"sku"`
	Name         string `json:"name"`
	Price        Money  `json:"price"`
	Stock        int64  `json:"stock"`
	ImageMediaID string `json:"image_media_id"`
}

func scanItem(row interface{ Scan(...any) error }) (ShelfItem, int64, error) {
	var it ShelfItem
	var held int64
	err := row.Scan(&it.SKU, &it.Name, &it.Price.Amount, &it.Price.Currency, &it.Stock, &held, &it.Sold, &it.ImageMediaID)
	return it, held, err
}

// item is one item of a room's shelf (any: also one taken off it).
// Errors: not_found.
func (s *Service) item(ctx context.Context, roomID, sku string, any bool) (ShelfItem, error) {
	q := selectItem
	if any {
		q = selectAnyItem
	}
	it, _, err := scanItem(s.db.QueryRow(ctx, q, roomID, sku))
	it.ImageURL = itemImageURL(roomID, it.SKU, it.ImageMediaID)
	if errors.Is(err, sql.ErrNoRows) {
		return it, errs.E(errs.NotFound, "No item %q on this room's shelf.", sku)
	}
	return it, err
}

func (s *Service) shelf(ctx context.Context, roomID string) ([]ShelfItem, error) {
	rows, err := s.db.Query(ctx, selectShelf, roomID)
	if err != nil {
		return nil, err
	}
	items, err := sqldb.ScanAll(rows, func(r *sql.Rows) (ShelfItem, error) {
		it, _, err := scanItem(r)
		it.ImageURL = itemImageURL(roomID, it.SKU, it.ImageMediaID)
		return it, err
	})
	if items == nil {
		items = []ShelfItem{}
	}
	return items, err
}

// Shelf is room id's shelf as userID sees it. Errors: not_found.
func (s *Service) Shelf(ctx context.Context, userID, id string) ([]ShelfItem, error) {
	if _, err := s.visible(ctx, userID, id); err != nil {
		return nil, err
	}
	return s.shelf(ctx, id)
}

func validateShelf(in Shelf) error {
	if len(in.Items) > MaxShelfItems {
		return errs.Field("items", "A shelf has at most %d items.", MaxShelfItems)
	}
	seen := map[string]bool{}
	currency := ""
	for i := range in.Items {
		it := &in.Items[i]
		f := func(name string) string { return "items[" + strconv.Itoa(i) + "]." + name }
		it.Name = strings.TrimSpace(it.Name)
		if it.Price.Currency == "" {
			it.Price.Currency = "CNY"
		}
		switch {
		case !skuRe.MatchString(it.SKU):
			return errs.Field(f("sku"), "A sku has 1 to 32 of A-Z a-z 0-9 _ -.")
		case seen[it.SKU]:
			return errs.Field(f("sku"), "sku %s is on the shelf twice.", it.SKU)
		case utf8.RuneCountInString(it.Name) < 1 || utf8.RuneCountInString(it.Name) > 100 || hasControl(it.Name):
			return errs.Field(f("name"), "A name has 1 to 100 characters and no control characters.")
		case it.Price.Amount < 1 || it.Price.Amount > MaxPrice:
			return errs.Field(f("price.amount"), "price.amount is a whole number of minor units from 1 to %d.", MaxPrice)
		case !currencies[it.Price.Currency]:
			return errs.Field(f("price.currency"), "price.currency is one of CNY, USD, EUR, HKD.")
		case currency != "" && it.Price.Currency != currency:
			return errs.Field(f("price.currency"), "Every item on a shelf has the same currency.")
		case it.Stock < 0 || it.Stock > MaxStock:
			return errs.Field(f("stock"), "stock is a whole number from 0 to %d.", MaxStock)
		case len(it.ImageMediaID) > 64 || hasControl(it.ImageMediaID) || strings.ContainsAny(it.ImageMediaID, "/?#"):
			return errs.Field(f("image_media_id"), "image_media_id is a media id from POST /api/v1/media.")
		}
		seen[it.SKU] = true
		currency = it.Price.Currency
	}
	return nil
}

// SetShelf replaces the host's shelf. An item already on it keeps what
// it sold and what unpaid orders hold; an item left out is taken off (its
// sales stay in the stats, its pending orders can still be paid). Every
// viewer gets "stock" for each item. Errors: invalid_argument, not_found,
// forbidden, room_ended.
func (s *Service) SetShelf(ctx context.Context, userID, id string, in Shelf) ([]ShelfItem, error) {
	if err := validateShelf(in); err != nil {
		return nil, err
	}
	r, err := s.hosted(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	for i, it := range in.Items {
		if err := s.keepImage(ctx, userID, it.ImageMediaID, fmt.Sprintf("items[%d].image_media_id", i)); err != nil {
			return nil, err
		}
	}
	if r.State == StateEnded {
		return nil, errs.E(RoomEnded, "This live room has ended.")
	}
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, unlistShelf, id); err != nil {
			return err
		}
		for i, it := range in.Items {
			res, err := tx.Exec(ctx, updateItem, it.Name, it.Price.Amount, it.Price.Currency, it.Stock, it.ImageMediaID, i, id, it.SKU)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				continue
			}
			if _, err := tx.Exec(ctx, insertItem, id, it.SKU, it.Name, it.Price.Amount, it.Price.Currency, it.Stock, it.ImageMediaID, i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	items, err := s.shelf(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		s.broadcast(id, "stock", map[string]any{"sku": it.SKU, "stock": it.Stock, "sold": it.Sold}, true)
	}
	if r.showingSKU != "" {
		if it, err := s.item(ctx, id, r.showingSKU, false); err == nil {
			s.broadcast(id, "showing", map[string]any{"item": it}, true)
		} else {
			_, _ = s.db.Exec(ctx, setShowing, "", id)
			s.broadcast(id, "showing", map[string]any{"item": nil}, true)
		}
	}
	return items, nil
}

// Show pins an item of the shelf for every viewer ("" unpins); it
// answers the item (nil when unpinned). Errors: not_found (no such
// item), forbidden, room_ended.
func (s *Service) Show(ctx context.Context, userID, id, sku string) (*ShelfItem, error) {
	r, err := s.hosted(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if r.State == StateEnded {
		return nil, errs.E(RoomEnded, "This live room has ended.")
	}
	var it *ShelfItem
	if sku != "" {
		found, err := s.item(ctx, id, sku, false)
		if err != nil {
			return nil, err
		}
		it = &found
	}
	res, err := s.db.Exec(ctx, setShowing, sku, id)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, errs.E(RoomEnded, "This live room has ended.")
	}
	s.broadcast(id, "showing", map[string]any{"item": it}, true)
	return it, nil
}
