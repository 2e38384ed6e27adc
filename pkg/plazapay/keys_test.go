package plazapay

import (
	"crypto/rand"
	"crypto/rsa"
	"sync"
	"testing"
)

// Test keys: generated once per test binary (2048 bits, like real keys).
var (
	keysOnce                        sync.Once
	merchantKey, platformKey, other *rsa.PrivateKey
)

func testKeys(tb testing.TB) (merchant, platform, stranger *rsa.PrivateKey) {
	tb.Helper()
	keysOnce.Do(func() {
		var wg sync.WaitGroup
		for _, k := range []**rsa.PrivateKey{&merchantKey, &platformKey, &other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key, err := rsa.GenerateKey(rand.Reader, 2048)
				if err != nil {
					panic(err)
				}
				*k = key
			}()
		}
		wg.Wait()
	})
	return merchantKey, platformKey, other
}
