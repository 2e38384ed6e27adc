// Package httpx holds Plaza's HTTP helpers: strict JSON decoding, the
// contract's error body, request ids, panic recovery, access logs, metrics,
// rate limiting and the authentication middleware.
package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// MaxBody is the largest JSON request body Plaza reads: 1 MiB.
const MaxBody = 1 << 20

// Decode reads one JSON object from r's body into v. It refuses bodies
// over MaxBody, malformed JSON, wrong types, unknown fields and trailing
// data, each with an *errs.Error naming the fault. The Content-Type is not
// checked: the body is JSON whatever a client labels it (curl -d says
// form-urlencoded), and anything else fails to parse.
func Decode(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, MaxBody)
	return DecodeReader(body, v)
}

// DecodeReader is Decode's parser, apart from HTTP: the fuzzed surface.
func DecodeReader(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return decodeError(err)
		}
		return errs.E(errs.InvalidArgument, "The request body must hold a single JSON object.")
	}
	if kind := jsonKind(raw); kind != "object" {
		return errs.E(errs.InvalidArgument, "The request body must be a JSON object, not %s.", kind)
	}
	strict := json.NewDecoder(bytes.NewReader(raw))
	strict.DisallowUnknownFields()
	if err := strict.Decode(v); err != nil {
		return decodeError(err)
	}
	return nil
}

// jsonKind names the kind of a valid JSON value by its first byte.
func jsonKind(raw []byte) string {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

func decodeError(err error) error {
	var (
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
		tooLarge *http.MaxBytesError
	)
	switch {
	case errors.As(err, &tooLarge):
		return errs.E(errs.PayloadTooLarge, "The request body is larger than %d bytes.", tooLarge.Limit)
	case errors.Is(err, io.EOF):
		return errs.E(errs.InvalidArgument, "The request body is empty; a JSON object is required.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.E(errs.InvalidArgument, "The request body is not valid JSON: it ends too early.")
	case errors.As(err, &syntax):
		return errs.E(errs.InvalidArgument, "The request body is not valid JSON (at byte %d).", syntax.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return errs.E(errs.InvalidArgument, "The request body must be a JSON object, not %s.", typ.Value)
		}
		return &errs.Error{Code: errs.InvalidArgument, Field: typ.Field,
			Message: fmt.Sprintf("Field %q must be %s, not %s.", typ.Field, jsonType(typ.Type.Kind().String()), typ.Value)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &errs.Error{Code: errs.InvalidArgument, Field: field, Message: fmt.Sprintf("Unknown field %q.", field)}
	default:
		return errs.Wrap(err, errs.InvalidArgument, "The request body could not be read as JSON.")
	}
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return kind
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

// NoContent answers 204.
func NoContent(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }
