package account

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/text"
)

// normalizeUsername lowercases name and checks Plaza's rule: 3–32 of
// a-z, 0-9 and _. Names beginning "deleted_" are reserved for erased
// accounts.
func normalizeUsername(name string) (string, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if len(name) < 3 || len(name) > 32 {
		return "", errs.Field("username", "A username has 3 to 32 characters.")
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return "", errs.Field("username", "A username may use only letters a–z, digits and underscores.")
		}
	}
	if strings.HasPrefix(name, "deleted_") {
		return "", errs.Field("username", "Usernames beginning with deleted_ are reserved.")
	}
	return name, nil
}

func validatePassword(p string) error {
	n := utf8.RuneCountInString(p)
	if n < 8 {
		return errs.Field("password", "A password has at least 8 characters.")
	}
	if len(p) > 128 {
		return errs.Field("password", "A password has at most 128 bytes.")
	}
	return nil
}

// cleanDisplayName applies Plaza's rules for visible names (text.Name):
// 1 to 64 characters, NFC, no control, invisible or direction-changing
// characters, no mark floods, no mixed-script look-alike words.
func cleanDisplayName(s string) (string, error) {
	return text.Name("display_name", "A display name", s, 64)
}

func normalizeRegion(code string) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if _, ok := regionNames[code]; !ok {
		return "", errs.Field("region", "Region must be an ISO 3166-1 alpha-2 code such as US or CN; %q is not one.", code)
	}
	return code, nil
}

func cleanMessage(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > 200 {
		return "", errs.Field("message", "A greeting has at most 200 characters.")
	}
	return s, nil
}

// Regions lists every ISO 3166-1 region, sorted by name.
func Regions() []Region {
	out := make([]Region, 0, len(regionNames))
	for code, name := range regionNames {
		out = append(out, Region{Code: code, Name: name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// RegionName is the English name of a region code ("" if unknown).
func RegionName(code string) string { return regionNames[code] }
