package server

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// broadcaster fans a message out to the open event streams.
type broadcaster struct {
	mu     sync.Mutex
	subs   map[chan string]bool
	closed bool
}

func newBroadcaster() *broadcaster { return &broadcaster{subs: map[chan string]bool{}} }

func (b *broadcaster) subscribe() chan string {
	b.mu.Lock()
	defer b.mu.Unlock()
	ch := make(chan string, 1)
	if b.closed {
		close(ch)
		return ch
	}
	b.subs[ch] = true
	return ch
}

func (b *broadcaster) unsubscribe(ch chan string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subs[ch] {
		delete(b.subs, ch)
		close(ch)
	}
}

// send delivers msg to every stream; a slow stream misses it rather than
// blocking the sender (it already has a reload pending).
func (b *broadcaster) send(msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- msg:
		default:
		}
	}
}

func (b *broadcaster) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for ch := range b.subs {
		delete(b.subs, ch)
		close(ch)
	}
}

// maxStreams bounds the open event streams: they need no login (reader
// pages open them), so they must not be a way to hold the server's
// connections.
const maxStreams = 256

// eventsStream is a Server-Sent Events stream: "reload" whenever the site
// was rebuilt, so open pages refresh themselves. It exists only with
// serve -watch (the only time pages load reload.js).
func (s *Server) eventsStream(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.Watch {
		http.NotFound(w, r)
		return
	}
	if s.streams.Add(1) > maxStreams {
		s.streams.Add(-1)
		http.Error(w, "too many open event streams", http.StatusServiceUnavailable)
		return
	}
	defer s.streams.Add(-1)
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	ch := s.reload.subscribe()
	defer s.reload.unsubscribe(ch)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": connected\n\n")
	fl.Flush()
	ping := time.NewTicker(25 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.ctx.Done():
			return
		case msg, ok := <-ch:
			if !ok {
				return
			}
			fmt.Fprintf(w, "event: %s\ndata: %d\n\n", msg, time.Now().UnixMilli())
			fl.Flush()
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
			fl.Flush()
		}
	}
}
