package chat

// SendQueue is the hub's per-socket queue length, for the external tests.
const SendQueue = sendQueue
