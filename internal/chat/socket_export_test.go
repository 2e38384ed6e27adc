package chat

// Writing is how many of the hub's sockets have a writer running now.
func (h *Hub) Writing() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	for _, set := range h.conns {
		for c := range set {
			c.qmu.Lock()
			if c.writing {
				n++
			}
			c.qmu.Unlock()
		}
	}
	return n
}
