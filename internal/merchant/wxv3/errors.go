package wxv3

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/plaza-dev/plaza/internal/merchant"
	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// errorBody is WeChat's error body:
// {"code":"PARAM_ERROR","message":"…","detail":{…}}.
type errorBody struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Detail  json.RawMessage `json:"detail,omitempty"`
}

// fieldDetail is the detail of a PARAM_ERROR about one field.
type fieldDetail struct {
	Field    string `json:"field"`
	Issue    string `json:"issue"`
	Location string `json:"location"`
}

// v3err is a refusal of the adapter's own (a bad signature, an unknown
// route, a body too large).
func v3err(status int, code, format string, args ...any) *merchant.Error {
	return &merchant.Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

var (
	errSign   = func(why string) *merchant.Error { return v3err(401, "SIGN_ERROR", "Signature check failed: %s", why) }
	errSystem = v3err(500, "SYSTEM_ERROR", "System error; retry with the same parameters.")
)

// errorOf is the status and body of err: a merchant.Error as itself, an
// errs refusal as INVALID_REQUEST with its status, anything else as
// SYSTEM_ERROR (internal is true: log it).
func errorOf(err error) (status int, body []byte, internal bool) {
	var me *merchant.Error
	if !errors.As(err, &me) {
		var pe *errs.Error
		if errors.As(err, &pe) && pe.Code != errs.Internal {
			me = v3err(errs.Status(pe.Code), "INVALID_REQUEST", "%s", pe.Message)
		} else {
			me, internal = errSystem, true
		}
	}
	b := errorBody{Code: me.Code, Message: me.Message}
	if me.Field != "" {
		b.Detail, _ = json.Marshal(fieldDetail{Field: me.Field, Issue: me.Message, Location: "body"})
	}
	body, _ = json.Marshal(b)
	return me.Status, body, internal
}
