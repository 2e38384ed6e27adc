package bus

import (
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Attach connects another client to b's embedded server under prefix, as
// a second node would. Tests need it because the embedded server listens
// on no port, so bus.Open cannot reach it twice.
func Attach(b *Bus, prefix string) (*Bus, error) {
	nc, err := nats.Connect("", nats.InProcessServer(b.server))
	if err != nil {
		return nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return &Bus{nc: nc, js: js, prefix: prefix, log: b.log}, nil
}
