package merchant

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiError is an error of the v3 API, in WeChat's body:
// {"code":"PARAM_ERROR","message":"…","detail":{…}}.
type apiError struct {
	Status  int             `json:"-"`
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Detail  json.RawMessage `json:"detail,omitempty"`
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func v3err(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func paramError(field, issue string, args ...any) *apiError {
	msg := fmt.Sprintf(issue, args...)
	detail, _ := json.Marshal(map[string]string{"field": field, "issue": msg, "location": "body"})
	return &apiError{Status: http.StatusBadRequest, Code: "PARAM_ERROR", Message: msg, Detail: detail}
}

var (
	errSign          = func(why string) *apiError { return v3err(401, "SIGN_ERROR", "Signature check failed: %s", why) }
	errOrderNotExist = v3err(404, "ORDER_NOT_EXIST", "No such order.")
	errResource      = v3err(404, "RESOURCE_NOT_EXISTS", "No such order or refund.")
	errSystem        = v3err(500, "SYSTEM_ERROR", "System error; retry with the same parameters.")
)
