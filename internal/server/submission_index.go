package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
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
// submission is one search.Doc whose ID is the submission ID and whose
// credit is the office. *search.Index satisfies it.
type SubmissionIndex interface {
	SearchIndex
	Sync(ctx context.Context, docs []search.Doc) (search.SyncStats, error)
	// UpdatePrepared puts docs (analysed by search.Prepare) and deletes
	// del as one write.
	UpdatePrepared(docs []*search.Prepared, del []string) error
	// Indexed reports whether the index holds id at hash h.
	Indexed(id string, h uint64) bool
}

// maxSubmissionHits bounds how many search hits the desk lists.
const maxSubmissionHits = 500

// submissionDoc is a submission as the search index sees it: its text
// fields, the plain text of its Markdown body, its office as the credit.
// Its Source is submissionSource(sub).
func (s *Server) submissionDoc(sub store.Submission) (search.Doc, error) {
	s.subRenders.Add(1)
	doc, err := s.md.Render([]byte(sub.Body))
	if err != nil {
		return search.Doc{}, fmt.Errorf("rendering submission %s: %w", sub.ID, err)
	}
	return search.Doc{
		ID: sub.ID, Title: sub.Title, Kicker: sub.Kicker, Subtitle: sub.Subtitle,
		Body: doc.Text, Credit: sub.Office, Tags: sub.Tags, Date: sub.Created, Edition: sub.Edition,
		URL: "/desk/submissions/" + sub.ID, Source: submissionSource(sub),
	}, nil
}

// submissionDocVersion changes whenever submissionDoc makes different docs
// from the same submission (its fields, or how Markdown becomes text), so
// that the next start re-renders every submission.
const submissionDocVersion = "submission-doc-2"

// submissionSource hashes what submissionDoc reads from a submission.
func submissionSource(sub store.Submission) uint64 {
	h := fnv.New64a()
	b, _ := json.Marshal([]any{submissionDocVersion, sub.ID, sub.Title, sub.Kicker, sub.Subtitle, sub.Body,
		sub.Office, sub.Tags, sub.Created, sub.Edition})
	h.Write(b)
	return max(h.Sum64(), 1) // 0 means no source
}

// heavyBody is the body length (bytes) above which a submission is
// rendered and analysed for the index by the request that saved it,
// rather than by the index worker. A story of 10,000 Chinese characters
// is about 30 KB; what lies beyond is rare, and costs tens to hundreds of
// milliseconds to render and analyse (a hostile body near the 200 KB cap
// took a second under load, and every search waited for it).
const heavyBody = 32 << 10

// indexSubmissions brings the index up to date with submissions ids after
// they changed. The caller has committed the change and not yet answered.
//
// A submission with a short body (or one that no longer exists) is queued
// for a background worker, which indexes what is queued as one batch.
// Requests do not wait for it: indexing one submission at a time, under
// the index's lock, bounded submissions to a few hundred a second with 50
// clients at a p99 of 200 ms. Searches wait for queued work
// (subQueue.wait), so the desk always finds what was saved before.
//
// A submission with a long body (heavyBody) is rendered and analysed here,
// by the request that saved it, one such request at a time and within a
// share of one CPU (Server.heavy),
// and the request waits until the worker has written it: so it too is
// found by every search made after the save answered, and searches never
// wait for a long body's rendering. Its rendering is bounded by
// Config.RenderTimeout.
//
// Failures are logged, not returned: the store is the record, and the next
// start re-syncs.
func (s *Server) indexSubmissions(ids ...string) {
	if s.cfg.SubmissionIndex == nil {
		return
	}
	var short []string
	for _, id := range ids {
		if id == "" {
			continue
		}
		if sub, err := s.st.Submission(id); err == nil && len(sub.Body) > heavyBody {
			s.indexHeavy(sub)
			continue
		}
		short = append(short, id)
	}
	if len(short) > 0 {
		s.subQueue.add(short, nil)
	}
}

// indexHeavy renders and analyses sub (a long body) outside the index
// worker and waits until the worker has written it.
func (s *Server) indexHeavy(sub store.Submission) {
	src := submissionSource(sub)
	if s.subIndexed(sub.ID, src) {
		return // unchanged: a transition, a note
	}
	p, err := func() (*search.Prepared, error) {
		release, err := s.heavy.acquire(context.Background())
		if err != nil {
			return nil, err
		}
		defer release()
		d, err := s.submissionDoc(sub)
		if err != nil {
			return nil, err
		}
		return search.Prepare(d)
	}()
	if err != nil {
		s.log.Error("updating the submission index", "submission", sub.ID, "err", err)
		return
	}
	s.subQueue.waitFor(s.subQueue.add(nil, []preparedSub{{p: p, source: src}}))
}

// subIndexed reports whether the submission index holds submission id made
// from source (submissionSource).
func (s *Server) subIndexed(id string, source uint64) bool {
	return s.cfg.SubmissionIndex.Indexed(id, search.Doc{ID: id, Source: source}.Hash())
}

// preparedSub is a submission's doc analysed outside the index worker,
// made from the submission as it was at source (submissionSource).
type preparedSub struct {
	p      *search.Prepared
	source uint64
}

// subQueue is the queue of changes waiting for the submission index:
// submission IDs, and docs prepared by indexHeavy. Each add counts as one
// more change (queued); the worker records how many were queued when it
// took its batch once that batch is written (done), so a search waits for
// the changes made before it, not for a stream of later ones.
type subQueue struct {
	// index writes one batch (Server.indexBatch).
	index func(ids []string, prepared []preparedSub)

	mu       sync.Mutex
	changed  *sync.Cond // broadcast when done moves or the worker stops
	pending  map[string]bool
	prepared []preparedSub
	queued   uint64
	done     uint64
	busy     bool
	closed   bool
}

// add queues ids and prepared docs and returns the position of the change
// (for waitFor).
func (q *subQueue) add(ids []string, prepared []preparedSub) uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return q.queued // the next start's sync catches up
	}
	if q.pending == nil {
		q.pending = map[string]bool{}
		q.changed = sync.NewCond(&q.mu)
	}
	for _, id := range ids {
		if id != "" {
			q.pending[id] = true
		}
	}
	q.prepared = append(q.prepared, prepared...)
	q.queued++
	mark := q.queued
	if q.busy {
		return mark
	}
	q.busy = true
	go func() {
		for {
			q.mu.Lock()
			if len(q.pending) == 0 && len(q.prepared) == 0 {
				q.done = q.queued
				q.busy = false
				q.changed.Broadcast()
				q.mu.Unlock()
				return
			}
			upTo := q.queued
			ids := make([]string, 0, len(q.pending))
			for id := range q.pending {
				ids = append(ids, id)
			}
			clear(q.pending)
			prepared := q.prepared
			q.prepared = nil
			q.mu.Unlock()
			slices.Sort(ids)
			q.index(ids, prepared)
			q.mu.Lock()
			q.done = upTo
			q.changed.Broadcast()
			q.mu.Unlock()
		}
	}()
	return mark
}

// wait returns once every change queued before the call is indexed.
func (q *subQueue) wait() { q.waitFor(q.mark()) }

// mark returns the position of the latest change queued.
func (q *subQueue) mark() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.queued
}

// waitFor returns once the changes up to mark are indexed.
func (q *subQueue) waitFor(mark uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.done < mark {
		q.changed.Wait()
	}
}

// close waits for queued work and stops taking more.
func (q *subQueue) close() {
	q.mu.Lock()
	for q.busy {
		q.changed.Wait()
	}
	q.closed = true
	q.mu.Unlock()
}

// indexBatch brings the index up to date with submissions ids, and writes
// the docs prepared by indexHeavy that still match the store. The worker
// is the index's only writer while the server runs, so a batch read from
// the store later is written later. A long body named in ids is left to
// the request that saved it (indexHeavy), so the worker never renders one
// while searches wait.
func (s *Server) indexBatch(ids []string, prepared []preparedSub) {
	x := s.cfg.SubmissionIndex
	var put []*search.Prepared
	var gone []string
	done := map[string]bool{}
	for _, ps := range prepared {
		id := ps.p.ID()
		sub, err := s.st.Submission(id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			gone = append(gone, id)
		case err != nil:
			s.log.Error("updating the submission index", "submission", id, "err", err)
		case submissionSource(sub) == ps.source:
			put = append(put, ps.p)
			done[id] = true
		default:
			// Changed since it was prepared: the request that changed
			// it queued it again.
		}
	}
	for _, id := range ids {
		if done[id] {
			continue
		}
		sub, err := s.st.Submission(id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			gone = append(gone, id)
		case err != nil:
			s.log.Error("updating the submission index", "submission", id, "err", err)
		case len(sub.Body) > heavyBody, s.subIndexed(sub.ID, submissionSource(sub)):
			// A long body: indexHeavy writes it. Or unchanged.
		default:
			d, err := s.submissionDoc(sub)
			if err == nil {
				var p *search.Prepared
				if p, err = search.Prepare(d); err == nil {
					put = append(put, p)
				}
			}
			if err != nil {
				s.log.Error("updating the submission index", "submission", id, "err", err)
			}
		}
	}
	if err := x.UpdatePrepared(put, gone); err != nil {
		s.log.Error("updating the submission index", "submissions", len(ids)+len(prepared), "err", err)
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
// the index are caught up at the next start. A submission the index holds
// at the same source hash (submissionSource) is not rendered again, so a
// start costs a hash per unchanged submission. A submission whose body
// fails to render (out of time) is indexed without its body, and tried
// again at the next start.
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
	rendered := 0
	for _, sub := range all {
		src := submissionSource(sub)
		if s.subIndexed(sub.ID, src) {
			docs = append(docs, search.Doc{ID: sub.ID, Source: src}) // unchanged: Sync leaves it alone
			continue
		}
		rendered++
		d, err := s.submissionDoc(sub)
		if err != nil {
			s.log.Error("indexing a submission without its body", "submission", sub.ID, "err", err)
			d = search.Doc{ID: sub.ID, Title: sub.Title, Kicker: sub.Kicker, Subtitle: sub.Subtitle,
				Credit: sub.Office, Tags: sub.Tags, Date: sub.Created, Edition: sub.Edition, URL: "/desk/submissions/" + sub.ID}
		}
		docs = append(docs, d)
	}
	st, err := x.Sync(ctx, docs)
	if err != nil {
		return st, fmt.Errorf("syncing the submission index: %w", err)
	}
	s.log.Info("submission index synced", "submissions", len(docs), "rendered", rendered, "stats", fmt.Sprintf("%+v", st), "in", time.Since(start))
	return st, nil
}

// searchSubmissions finds the submissions matching text (most relevant
// first) within filter f, and returns page p of them, how many there are,
// and with snippets set a highlighted snippet of each on the page
// (reading and highlighting each hit's stored text is most of a search's
// cost, so only the page's hits are highlighted). The office filter is
// applied by the index and checked again by the store, so a stale index
// can never show a submitter another office's work; only the page's
// submissions are read from the store.
//
// Without a status filter the page is the index's page, in one query per
// search.MaxLimit hits. The index does not know statuses, so with one the
// first maxSubmissionHits hits are filtered by the store, and only those
// are listed and counted.
func (s *Server) searchSubmissions(ctx context.Context, text string, f store.SubmissionFilter, p listPage, snippets bool) ([]store.Submission, int, map[string]template.HTML, error) {
	s.subQueue.wait() // see every change saved before this search
	if len(f.Statuses) == 0 {
		hits, total, err := s.searchHits(ctx, text, f.Office, p.Offset, p.Limit, !snippets)
		if err != nil {
			return nil, 0, nil, err
		}
		ids := make([]string, len(hits))
		for i, h := range hits {
			ids[i] = h.ID
		}
		// Those deleted since the search, or (never, but for a stale
		// index) of another office, are left out.
		subs, n, err := s.st.SubmissionPageByID(ids, store.SubmissionFilter{Office: f.Office})
		if err != nil {
			return nil, 0, nil, err
		}
		return subs, max(total-(len(ids)-n), 0), snippetsOf(hits, snippets), nil
	}
	hits, _, err := s.searchHits(ctx, text, f.Office, 0, maxSubmissionHits, true)
	if err != nil {
		return nil, 0, nil, err
	}
	ids := make([]string, len(hits))
	pos := make(map[string]int, len(hits)) // position among the hits
	for i, h := range hits {
		ids[i] = h.ID
		pos[h.ID] = i
	}
	f.Offset, f.Limit = p.Offset, p.Limit
	subs, total, err := s.st.SubmissionPageByID(ids, f)
	if err != nil || !snippets || len(subs) == 0 {
		return subs, total, nil, err
	}
	// Snippets of the page's hits: search again over their positions.
	lo, hi := pos[subs[0].ID], pos[subs[len(subs)-1].ID]
	hits, _, err = s.searchHits(ctx, text, f.Office, lo, hi-lo+1, false)
	if err != nil {
		return nil, 0, nil, err
	}
	return subs, total, snippetsOf(hits, true), nil
}

// searchHits returns the hits of text within office from offset, at most
// limit of them, and how many match in all.
func (s *Server) searchHits(ctx context.Context, text, office string, offset, limit int, idsOnly bool) ([]search.Hit, int, error) {
	var hits []search.Hit
	total := 0
	q := search.Query{Text: text, Credit: office, Offset: offset, IDsOnly: idsOnly}
	for len(hits) < limit {
		q.Limit = min(limit-len(hits), search.MaxLimit)
		res, err := s.cfg.SubmissionIndex.Search(ctx, q)
		if err != nil {
			return nil, 0, err
		}
		hits = append(hits, res.Hits...)
		total = res.Total
		q.Offset += len(res.Hits)
		if len(res.Hits) == 0 || q.Offset >= res.Total {
			break
		}
	}
	return hits, total, nil
}

// snippetsOf maps the hits' IDs to their snippets (nil unless want).
func snippetsOf(hits []search.Hit, want bool) map[string]template.HTML {
	if !want {
		return nil
	}
	out := make(map[string]template.HTML, len(hits))
	for _, h := range hits {
		out[h.ID] = h.Snippet
	}
	return out
}
