package event

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Broker carries pokes between the instances: a hub publishes after a
// local change, and every hub subscribed reads the table at once. A
// message carries no event (the table does), only the sender's id, so a
// lost message costs at most one poll interval.
type Broker interface {
	// Publish sends msg to every subscriber.
	Publish(ctx context.Context, msg string) error
	// Subscribe calls fn for every message until ctx ends (it then
	// returns nil) or the subscription fails.
	Subscribe(ctx context.Context, fn func(msg string)) error
}

// RedisChannel is the pub/sub channel the instances poke each other on.
// Redis pub/sub ignores the database number, so deployments sharing one
// Redis poke each other too; that costs them an extra read, nothing more.
const RedisChannel = "jiaxiao:events"

// Redis is a Broker over Redis pub/sub.
type Redis struct {
	c       *redis.Client
	addr    string
	channel string
}

// NewRedis connects to the Redis at rawURL (redis://host:port/db) and
// checks that it answers, giving up when ctx ends or after 15 seconds.
// It pokes on channel, RedisChannel when empty (tests use their own).
func NewRedis(ctx context.Context, rawURL, channel string) (*Redis, error) {
	if channel == "" {
		channel = RedisChannel
	}
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("event: redis url: %w", err)
	}
	c := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var last error
	for {
		if last = c.Ping(ctx).Err(); last == nil {
			return &Redis{c: c, addr: opt.Addr, channel: channel}, nil
		}
		select {
		case <-ctx.Done():
			_ = c.Close()
			return nil, fmt.Errorf("event: redis %s: %w", opt.Addr, last)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// Addr is the host:port of the server.
func (r *Redis) Addr() string { return r.addr }

// Publish implements Broker.
func (r *Redis) Publish(ctx context.Context, msg string) error {
	if err := r.c.Publish(ctx, r.channel, msg).Err(); err != nil {
		return fmt.Errorf("event: redis %s: publish: %w", r.addr, err)
	}
	return nil
}

// Subscribe implements Broker.
func (r *Redis) Subscribe(ctx context.Context, fn func(msg string)) error {
	ps := r.c.Subscribe(ctx, r.channel)
	defer ps.Close()
	// A blocked read does not watch ctx; closing the subscription ends it.
	stop := context.AfterFunc(ctx, func() { _ = ps.Close() })
	defer stop()
	for {
		m, err := ps.ReceiveMessage(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, redis.ErrClosed) {
				return nil
			}
			return fmt.Errorf("event: redis %s: subscribe: %w", r.addr, err)
		}
		fn(m.Payload)
	}
}

// Subscribers counts the subscriptions to the channel on the server, so a
// test can wait until every hub listens.
func (r *Redis) Subscribers(ctx context.Context) (int64, error) {
	n, err := r.c.PubSubNumSub(ctx, r.channel).Result()
	if err != nil {
		return 0, fmt.Errorf("event: redis %s: numsub: %w", r.addr, err)
	}
	return n[r.channel], nil
}

// Close closes the connections.
func (r *Redis) Close() error { return r.c.Close() }
