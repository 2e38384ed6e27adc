package chat

import "encoding/base64"

func base64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func unbase64url(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
