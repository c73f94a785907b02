package server

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"slices"
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

// indexSubmissions brings the index up to date with submissions ids after
// they changed (removing those that no longer exist). Failures are logged,
// not returned: the store is the record, and the next start re-syncs.
func (s *Server) indexSubmissions(ids ...string) {
	x := s.cfg.SubmissionIndex
	if x == nil {
		return
	}
	for _, id := range ids {
		if id == "" {
			continue
		}
		sub, err := s.st.Submission(id)
		if errors.Is(err, store.ErrNotFound) {
			err = x.Delete(id)
		} else if err == nil {
			var d search.Doc
			if d, err = s.submissionDoc(sub); err == nil {
				err = x.Put(d)
			}
		}
		if err != nil {
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
