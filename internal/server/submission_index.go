package server

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"slices"
	"sync"
	"time"

	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/store"
)

// SubmissionIndex is the full-text index of submissions behind the desk's
// search box: a search index of its own (banmian serve keeps it in
// data/submissions-index), separate from the reader site's. Each
// submission is one search.Doc whose slug is the submission ID and whose
// credit is the office. *search.Index satisfies it.
type SubmissionIndex interface {
	SearchIndex
	Sync(ctx context.Context, docs []search.Doc) (search.SyncStats, error)
}

// maxSubmissionHits bounds how many search hits the desk lists.
const maxSubmissionHits = 500

// submissionDoc is a submission as the search index sees it: its text
// fields, the plain text of its Markdown body, its office as the credit.
func (s *Server) submissionDoc(sub store.Submission) (search.Doc, error) {
	doc, err := s.md.Render([]byte(sub.Body))
	if err != nil {
		return search.Doc{}, fmt.Errorf("rendering submission %s: %w", sub.ID, err)
	}
	return search.Doc{
		Slug: sub.ID, Title: sub.Title, Kicker: sub.Kicker, Subtitle: sub.Subtitle,
		Body: doc.Text, Credit: sub.Office, Tags: sub.Tags, Date: sub.Created, Edition: sub.Edition,
		URL: "/desk/submissions/" + sub.ID,
	}, nil
}

// indexSubmissions queues submissions ids for the index after they
// changed; a background worker indexes what is queued as one batch (or
// removes those that no longer exist). Requests do not wait for it:
// indexing one submission at a time, under the index's lock, bounded
// submissions to a few hundred a second with 50 clients at a p99 of
// 200 ms. Searches wait for queued work (subQueue.wait), so the desk
// always finds what was saved before. Failures are logged, not
// returned: the store is the record, and the next start re-syncs.
func (s *Server) indexSubmissions(ids ...string) {
	if s.cfg.SubmissionIndex == nil {
		return
	}
	s.subQueue.add(s, ids)
}

// subQueue is the queue of submission IDs waiting to be indexed.
type subQueue struct {
	mu      sync.Mutex
	idle    *sync.Cond // broadcast when the worker stops
	pending map[string]bool
	busy    bool
	closed  bool
}

func (q *subQueue) add(s *Server, ids []string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return // the next start's sync catches up
	}
	if q.pending == nil {
		q.pending = map[string]bool{}
		q.idle = sync.NewCond(&q.mu)
	}
	for _, id := range ids {
		if id != "" {
			q.pending[id] = true
		}
	}
	if q.busy || len(q.pending) == 0 {
		return
	}
	q.busy = true
	go func() {
		for {
			q.mu.Lock()
			if len(q.pending) == 0 {
				q.busy = false
				q.idle.Broadcast()
				q.mu.Unlock()
				return
			}
			ids := make([]string, 0, len(q.pending))
			for id := range q.pending {
				ids = append(ids, id)
			}
			clear(q.pending)
			q.mu.Unlock()
			slices.Sort(ids)
			s.indexBatch(ids)
		}
	}()
}

// wait returns once nothing is queued or being indexed.
func (q *subQueue) wait() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.busy {
		q.idle.Wait()
	}
}

// close waits for queued work and stops taking more.
func (q *subQueue) close() {
	q.wait()
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
}

// batchUpdater is an index that takes many changes as one write
// (*search.Index does).
type batchUpdater interface {
	Update(docs []search.Doc, del []string) error
}

// indexBatch brings the index up to date with submissions ids.
func (s *Server) indexBatch(ids []string) {
	x := s.cfg.SubmissionIndex
	var docs []search.Doc
	var gone []string
	for _, id := range ids {
		sub, err := s.st.Submission(id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			gone = append(gone, id)
		case err != nil:
			s.log.Error("updating the submission index", "submission", id, "err", err)
		default:
			d, err := s.submissionDoc(sub)
			if err != nil {
				s.log.Error("updating the submission index", "submission", id, "err", err)
				continue
			}
			docs = append(docs, d)
		}
	}
	if u, ok := x.(batchUpdater); ok {
		if err := u.Update(docs, gone); err != nil {
			s.log.Error("updating the submission index", "submissions", len(ids), "err", err)
		}
		return
	}
	for _, d := range docs {
		if err := x.Put(d); err != nil {
			s.log.Error("updating the submission index", "submission", d.Slug, "err", err)
		}
	}
	for _, id := range gone {
		if err := x.Delete(id); err != nil {
			s.log.Error("updating the submission index", "submission", id, "err", err)
		}
	}
}

// indexEdition re-indexes the submissions placed on an edition.
func (s *Server) indexEdition(e store.Edition) {
	for _, it := range e.Items {
		s.indexSubmissions(it.Submission)
	}
}

// SyncSubmissionIndex makes the submission index hold exactly the
// submissions in the store; New runs it, so changes a crash kept out of
// the index are caught up at the next start. Unchanged submissions cost a
// Markdown rendering and a hash.
func (s *Server) SyncSubmissionIndex(ctx context.Context) (search.SyncStats, error) {
	x := s.cfg.SubmissionIndex
	if x == nil {
		return search.SyncStats{}, nil
	}
	start := time.Now()
	all, err := s.st.Submissions(store.SubmissionFilter{})
	if err != nil {
		return search.SyncStats{}, err
	}
	docs := make([]search.Doc, 0, len(all))
	for _, sub := range all {
		d, err := s.submissionDoc(sub)
		if err != nil {
			return search.SyncStats{}, err
		}
		docs = append(docs, d)
	}
	st, err := x.Sync(ctx, docs)
	if err != nil {
		return st, fmt.Errorf("syncing the submission index: %w", err)
	}
	s.log.Info("submission index synced", "submissions", len(docs), "stats", fmt.Sprintf("%+v", st), "in", time.Since(start))
	return st, nil
}

// searchSubmissions finds the submissions matching text (most relevant
// first) within filter f, with a highlighted snippet each. The office
// filter is applied by the index and checked again on the stored
// submission, so a stale index can never show a submitter another
// office's work.
func (s *Server) searchSubmissions(ctx context.Context, text string, f store.SubmissionFilter) ([]store.Submission, map[string]template.HTML, error) {
	s.subQueue.wait() // see every change saved before this search
	x := s.cfg.SubmissionIndex
	subs := []store.Submission{}
	snippets := map[string]template.HTML{}
	q := search.Query{Text: text, Credit: f.Office, Limit: search.MaxLimit}
	for q.Offset < maxSubmissionHits {
		res, err := x.Search(ctx, q)
		if err != nil {
			return nil, nil, err
		}
		for _, h := range res.Hits {
			sub, err := s.st.Submission(h.Slug)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			if f.Office != "" && sub.Office != f.Office {
				continue
			}
			if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, sub.Status) {
				continue
			}
			subs = append(subs, sub)
			snippets[sub.ID] = h.Snippet
		}
		q.Offset += len(res.Hits)
		if len(res.Hits) == 0 || q.Offset >= res.Total {
			break
		}
	}
	return subs, snippets, nil
}
