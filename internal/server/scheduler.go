package server

import (
	"time"
)

// schedule publishes scheduled editions when they fall due. It looks once
// at start, so editions that fell due while the server was down are
// published at once (catching up), then every SchedulerInterval or when
// woken by a change of schedule.
func (s *Server) schedule() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.SchedulerInterval)
	defer t.Stop()
	for {
		s.publishDue()
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// wakeScheduler makes the scheduler look now.
func (s *Server) wakeScheduler() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// publishDue publishes every due edition, earliest first.
func (s *Server) publishDue() {
	due, err := s.st.DueEditions(s.now())
	if err != nil {
		s.log.Error("looking for due editions", "err", err)
		return
	}
	for _, e := range due {
		if s.ctx.Err() != nil {
			return
		}
		actor := e.UpdatedBy
		if actor == "" {
			actor = "scheduler"
		}
		if _, err := s.Publish(s.ctx, e.Date, actor); err != nil {
			s.log.Error("scheduled publish failed", "edition", e.Date, "err", err)
		}
	}
}
