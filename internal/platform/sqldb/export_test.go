package sqldb

// QueueLen is the number of jobs waiting on b's first shard.
func QueueLen(b *Batcher) int { return len(b.shards[0]) }
