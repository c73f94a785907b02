// Package publish puts editions and corrections on the reader site: one
// service over the store, the content folder, the site builder and the
// search index, used by the server, the scheduler and the command line.
//
// Guarantees:
//   - A publish or correction is all or nothing: its files are written into
//     content/ through a journal (see fileTx), the site is rebuilt, the
//     search index updated and finally the store changed in one
//     transaction. If any step fails, content/, the site (public/ byte for
//     byte), the index and the store stay as they were.
//   - A publish works on one version of an edition: the store refuses to
//     mark published an edition or a story saved since it was written out
//     (store.ErrConflict), so the store never claims what the site does not
//     show. Edition saves made through Exclusive wait for a running publish.
//   - After a crash, Recover undoes a publish that had not reached its store
//     transaction and finishes one that had.
//
// Errors are domain errors: the sentinels below and the store's, wrapped
// with context; the HTTP layer maps them to statuses.
package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/markdown"
	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/site"
	"github.com/banmian/banmian/internal/store"
)

var (
	// ErrEmpty: the edition has nothing on it.
	ErrEmpty = errors.New("the edition has nothing on it")
	// ErrNoSlug: a story on the edition has no address yet.
	ErrNoSlug = errors.New("a story has no slug")
	// ErrNotLive: a correction names a story the live site does not have.
	ErrNotLive = errors.New("the story is not on the live site")
	// ErrBuild: the site build failed; content problems are inside
	// (content.AsList finds them).
	ErrBuild = errors.New("building the site failed")
	// ErrInterrupted: a publish a crash interrupted has not been
	// recovered yet.
	ErrInterrupted = errors.New("an interrupted publish awaits recovery")
)

// Steps of a publish, in order, as Config.Hook sees them.
const (
	StepFiles     = "files"     // content/ written
	StepBuild     = "build"     // site rebuilt
	StepIndex     = "index"     // search index updated
	StepStore     = "store"     // just before the store transaction
	StepCommitted = "committed" // the store changed; only cleanup is left
)

// Index is the part of the search index a publish keeps in step.
// *search.Index satisfies it.
type Index interface {
	Put(d search.Doc) error
	Delete(slug string) error
}

// Config configures a Service.
type Config struct {
	Store   *store.Store  // required
	Source  string        // the content folder (required)
	Builder *site.Builder // builds the reader site from Source (required)
	// Snapshot returns the content of the last build (nil before one).
	Snapshot func() *site.Snapshot
	// BaseURL returns the reader site's base URL (site.yaml's baseURL).
	BaseURL func() string
	Index   Index              // optional
	Render  *markdown.Renderer // renders bodies for the search index
	Now     func() time.Time   // nil: time.Now
	Logger  *slog.Logger       // nil: discard
	// Hook, when set, is called as a publish reaches each step (Step*).
	// An error it returns fails the publish there (after StepCommitted it
	// is only logged). Tests inject failures and crashes with it.
	Hook func(step string) error
}

// Service publishes editions and corrections. It is safe for concurrent
// use: publishes, corrections and Exclusive calls run one at a time.
type Service struct {
	cfg Config
	mu  sync.Mutex
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Snapshot == nil {
		cfg.Snapshot = func() *site.Snapshot { return nil }
	}
	if cfg.BaseURL == nil {
		cfg.BaseURL = func() string { return "" }
	}
	if cfg.Render == nil {
		cfg.Render = markdown.New(markdown.Options{Typeset: true})
	}
	return &Service{cfg: cfg}
}

// SetHook replaces the step hook (tests).
func (p *Service) SetHook(h func(step string) error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cfg.Hook = h
}

// Exclusive runs fn while no publish or correction runs (an edition save
// waits for a publish of it to finish).
func (p *Service) Exclusive(fn func() error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fn()
}

func (p *Service) step(name string) error {
	if p.cfg.Hook != nil {
		return p.cfg.Hook(name)
	}
	return nil
}

// Result describes a finished publish.
type Result struct {
	Date     string        `json:"date"`
	Stories  []string      `json:"stories"` // reader URLs
	Files    []string      `json:"files"`   // content paths written
	Build    string        `json:"build"`
	Duration time.Duration `json:"duration"`
}

// Publish publishes the edition for date: it writes its stories, photos,
// boxes and edition file into content/, rebuilds the reader site, updates
// the search index and marks the edition and its stories published in the
// store, in that order. Either all of it happens or nothing does.
//
// Errors: store.ErrNotFound, store.ErrInvalidTransition (already
// published), ErrEmpty, ErrNoSlug, store.ErrConflict (the edition or a
// story changed during the publish), ErrBuild (with content problems),
// ErrInterrupted, file system and index errors.
func (p *Service) Publish(ctx context.Context, date, actor string) (*Result, error) {
	start := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	e, err := p.cfg.Store.Edition(date)
	if err != nil {
		return nil, err
	}
	if e.Status == store.EditionPublished {
		return nil, fmt.Errorf("edition %s is already published: %w", date, store.ErrInvalidTransition)
	}
	if len(e.Items) == 0 {
		return nil, fmt.Errorf("edition %s: %w", date, ErrEmpty)
	}
	if err := p.assignSlugs(e, actor); err != nil {
		return nil, err
	}
	files, stories, built, err := p.EditionFiles(e)
	if err != nil {
		return nil, err
	}
	stats, err := p.change(ctx, journal{Edition: date}, files, stories, func() error {
		if err := p.step(StepStore); err != nil {
			return err
		}
		_, err := p.cfg.Store.PublishEdition(date, actor, built)
		return err
	})
	if err != nil {
		return nil, err
	}
	res := &Result{Date: date, Build: stats.String(), Duration: time.Since(start)}
	for f := range files {
		res.Files = append(res.Files, f)
	}
	root := content.SiteRoot(p.cfg.BaseURL())
	for _, st := range stories {
		res.Stories = append(res.Stories, root+content.StoryPath(st.Slug))
	}
	p.cfg.Logger.Info("published", "edition", date, "by", actor, "stories", len(stories), "in", res.Duration)
	return res, nil
}

// Text is the text of a story as a correction changes it.
type Text struct {
	Kicker, Title, Subtitle, Body string
	Tags                          []string
}

// Correct changes a published story: the store's text and the story file,
// with a dated correction note shown on the story page, as one step. rev is
// the revision the change is based on (0: no check); may, checked on the
// stored submission inside the store transaction that writes, says whether
// the caller may still change it.
//
// Errors: store.ErrNotFound, store.ErrConflict (a newer revision),
// ErrNotLive, may's error, those of Publish's steps.
func (p *Service) Correct(ctx context.Context, id, actor string, rev int, t Text, note string, may func(store.Submission) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	sub, err := p.cfg.Store.Submission(id)
	if err != nil {
		return err
	}
	if rev != 0 && rev != sub.Rev {
		return fmt.Errorf("submission %s: editing revision %d, but revision %d was saved since: %w", id, rev, sub.Rev, store.ErrConflict)
	}
	var live *content.Story
	if sn := p.cfg.Snapshot(); sn != nil {
		live = sn.Content.Story(sub.Slug)
	}
	if live == nil {
		return fmt.Errorf("story %q: %w", sub.Slug, ErrNotLive)
	}
	src, err := os.ReadFile(filepath.Join(p.cfg.Source, filepath.FromSlash(live.Path)))
	if err != nil {
		return err
	}
	st, errs := content.ParseStory(live.Path, src)
	if st == nil || len(errs) > 0 {
		return fmt.Errorf("reading %s: %w", live.Path, errors.Join(ErrBuild, errs.Err()))
	}
	st.Title, st.Kicker, st.Subtitle, st.Tags = strings.TrimSpace(t.Title), strings.TrimSpace(t.Kicker), strings.TrimSpace(t.Subtitle), t.Tags
	st.Body = []byte(strings.ReplaceAll(t.Body, "\r\n", "\n"))
	now := p.cfg.Now().In(content.Newsroom)
	st.Corrections = append(st.Corrections, content.Correction{Date: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, content.Newsroom), Note: note})
	data, err := content.MarshalStory(st)
	if err != nil {
		return err
	}
	_, err = p.change(ctx, journal{Story: id, Rev: sub.Rev}, map[string][]byte{live.Path: data}, []*content.Story{st}, func() error {
		if err := p.step(StepStore); err != nil {
			return err
		}
		_, err := p.cfg.Store.UpdateSubmission(id, actor, func(cur *store.Submission) error {
			if err := may(*cur); err != nil {
				return err
			}
			if cur.Rev != sub.Rev {
				return fmt.Errorf("submission %s: editing revision %d, but revision %d was saved since: %w", id, sub.Rev, cur.Rev, store.ErrConflict)
			}
			cur.Kicker, cur.Title, cur.Subtitle, cur.Body, cur.Tags = t.Kicker, t.Title, t.Subtitle, t.Body, t.Tags
			return nil
		})
		return err
	})
	return err
}

// storyPath is where a story is written: a page bundle folder when it has
// photos, else one file; an existing story keeps its path.
func (p *Service) storyPath(slug string, photos bool) string {
	if sn := p.cfg.Snapshot(); sn != nil {
		if st := sn.Content.Story(slug); st != nil {
			return st.Path
		}
	}
	if photos {
		return "stories/" + slug + "/index.md"
	}
	return "stories/" + slug + ".md"
}

// EditionFiles turns a stored edition into content files (content path →
// bytes): its stories (with photos), its boxes and the edition file. It
// also returns the stories and the version of the edition written
// (store.Built), which PublishEdition checks.
func (p *Service) EditionFiles(e store.Edition) (map[string][]byte, []*content.Story, store.Built, error) {
	files := map[string][]byte{}
	var stories []*content.Story
	var subs []store.Submission
	date, err := content.EditionDate(e.Date)
	if err != nil {
		return nil, nil, store.Built{}, fmt.Errorf("edition date %q: %w", e.Date, store.ErrInvalid)
	}
	ce := &content.Edition{Date: date, Page: e.Page, Title: e.Title, Note: e.Note, Masthead: e.Masthead}
	for _, it := range e.Items {
		if it.Box != nil {
			b := *it.Box
			if !content.ValidSlug(b.ID) || (b.Type != "" && b.Type != content.BoxHonourRoll) {
				return nil, nil, store.Built{}, fmt.Errorf("box %q of type %q: %w", b.ID, b.Type, store.ErrInvalid)
			}
			if b.Type == "" {
				b.Type = content.BoxHonourRoll
			}
			data, err := content.MarshalBox(&b)
			if err != nil {
				return nil, nil, store.Built{}, err
			}
			files["boxes/"+b.ID+".yaml"] = data
			ce.Items = append(ce.Items, content.Item{Box: b.ID, Lead: it.Lead, Module: it.Module})
			continue
		}
		sub, err := p.cfg.Store.Submission(it.Submission)
		if err != nil {
			return nil, nil, store.Built{}, err
		}
		subs = append(subs, sub)
		if sub.Slug == "" {
			return nil, nil, store.Built{}, fmt.Errorf("story %q: %w", sub.Title, ErrNoSlug)
		}
		st := &content.Story{
			Slug: sub.Slug, Title: sub.Title, Kicker: sub.Kicker, Subtitle: sub.Subtitle,
			Credit: sub.Office, Date: date, Edition: e.Date, Tags: sub.Tags,
			Body: []byte(sub.Body),
		}
		st.Path = p.storyPath(sub.Slug, len(sub.Photos) > 0)
		if len(sub.Photos) > 0 {
			var list []any
			dir := path.Dir(st.Path)
			for _, ph := range sub.Photos {
				_, data, err := p.cfg.Store.PhotoData(sub.ID, ph.Name)
				if err != nil {
					return nil, nil, store.Built{}, err
				}
				files[dir+"/"+ph.Name] = data
				list = append(list, map[string]any{"file": ph.Name, "caption": ph.Caption})
			}
			st.Params = map[string]any{"photos": list}
		}
		data, err := content.MarshalStory(st)
		if err != nil {
			return nil, nil, store.Built{}, err
		}
		files[st.Path] = data
		stories = append(stories, st)
		ce.Items = append(ce.Items, content.Item{Story: sub.Slug, Lead: it.Lead, Module: it.Module})
	}
	data, err := content.MarshalEdition(ce)
	if err != nil {
		return nil, nil, store.Built{}, err
	}
	files["editions/"+e.Date+".yaml"] = data
	return files, stories, store.BuiltFrom(e, subs), nil
}

// searchDoc is a story as the search index sees it.
func (p *Service) searchDoc(st *content.Story) (search.Doc, error) {
	doc, err := p.cfg.Render.Render(st.Body)
	if err != nil {
		return search.Doc{}, err
	}
	return search.FromStory(st, doc.Text, content.StoryURL(p.cfg.BaseURL(), st.Slug)), nil
}

// indexStories puts stories into the search index; undo removes them
// again (or puts back the old versions of replaced ones).
func (p *Service) indexStories(stories []*content.Story, old map[string]*content.Story) (undo func(), err error) {
	var done []string
	undo = func() {
		if p.cfg.Index == nil {
			return
		}
		for _, slug := range done {
			if o := old[slug]; o != nil {
				if d, err := p.searchDoc(o); err == nil {
					p.cfg.Index.Put(d)
				}
			} else {
				p.cfg.Index.Delete(slug)
			}
		}
	}
	if p.cfg.Index == nil {
		return undo, nil
	}
	for _, st := range stories {
		d, err := p.searchDoc(st)
		if err != nil {
			return undo, err
		}
		done = append(done, st.Slug)
		if err := p.cfg.Index.Put(d); err != nil {
			return undo, fmt.Errorf("updating the search index: %w", err)
		}
	}
	return undo, nil
}

// oldStories are the live versions of stories about to be replaced.
func (p *Service) oldStories(stories []*content.Story) map[string]*content.Story {
	old := map[string]*content.Story{}
	if sn := p.cfg.Snapshot(); sn != nil {
		for _, st := range stories {
			if o := sn.Content.Story(st.Slug); o != nil {
				old[st.Slug] = o
			}
		}
	}
	return old
}

// change writes files into content/, rebuilds the site, updates the search
// index and finally runs commit (the store change, one transaction). If
// any step fails, content/, the site and the index are put back as they
// were and the error is returned; commit failing leaves the store as it
// was by its own guarantee.
func (p *Service) change(ctx context.Context, j journal, files map[string][]byte, stories []*content.Story, commit func() error) (site.Stats, error) {
	old := p.oldStories(stories)
	for _, st := range stories {
		if old[st.Slug] == nil {
			j.Slugs = append(j.Slugs, st.Slug)
		}
	}
	tx := newFileTx(p.cfg.Source, j)
	var stats site.Stats
	undoIndex := func() {}
	fail := func(err error) (site.Stats, error) {
		undoIndex()
		rerr := tx.rollback()
		// Rebuild from the restored content: the site is as it was.
		if _, berr := p.cfg.Builder.Build(context.WithoutCancel(ctx)); berr != nil {
			rerr = errors.Join(rerr, fmt.Errorf("rebuilding the previous site: %w", berr))
		}
		if rerr != nil {
			p.cfg.Logger.Error("rolling back a publish", "err", rerr)
			return stats, errors.Join(err, rerr)
		}
		return stats, err
	}
	if err := tx.apply(files); err != nil {
		return stats, err
	}
	if err := p.step(StepFiles); err != nil {
		return fail(err)
	}
	var err error
	stats, err = p.cfg.Builder.Build(context.WithoutCancel(ctx))
	if err != nil {
		return fail(fmt.Errorf("%w: %w", ErrBuild, err))
	}
	if err := p.step(StepBuild); err != nil {
		return fail(err)
	}
	undoIndex, err = p.indexStories(stories, old)
	if err != nil {
		return fail(err)
	}
	if err := p.step(StepIndex); err != nil {
		return fail(err)
	}
	if err := commit(); err != nil {
		return fail(err)
	}
	if err := p.step(StepCommitted); err != nil {
		p.cfg.Logger.Error("after a publish", "err", err)
	}
	if err := tx.commit(); err != nil {
		p.cfg.Logger.Error("removing publish backups", "err", err)
	}
	return stats, nil
}

// Recover undoes a publish or correction that a crash interrupted before
// its store transaction, or finishes one that got past it. Call it before
// the first build.
func (p *Service) Recover() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	tx, err := readJournal(p.cfg.Source)
	if err != nil || tx == nil {
		return err
	}
	committed := false
	switch {
	case tx.j.Edition != "":
		if e, err := p.cfg.Store.Edition(tx.j.Edition); err == nil && e.Status == store.EditionPublished {
			committed = true
		}
	case tx.j.Story != "":
		if sub, err := p.cfg.Store.Submission(tx.j.Story); err == nil && sub.Rev != tx.j.Rev {
			committed = true
		}
	}
	if committed {
		p.cfg.Logger.Info("finishing an interrupted publish", "edition", tx.j.Edition, "story", tx.j.Story)
		return tx.commit()
	}
	p.cfg.Logger.Info("undoing an interrupted publish", "edition", tx.j.Edition, "story", tx.j.Story)
	if p.cfg.Index != nil {
		for _, slug := range tx.j.Slugs {
			p.cfg.Index.Delete(slug)
		}
	}
	if err := tx.rollback(); err != nil {
		return fmt.Errorf("undoing an interrupted publish in %s: %w", tx.dir, err)
	}
	return nil
}

// AssignSlugs gives every submission on e a slug, so its address is fixed
// before it is published.
func (p *Service) AssignSlugs(e store.Edition, actor string) error {
	return p.assignSlugs(e, actor)
}

func (p *Service) assignSlugs(e store.Edition, actor string) error {
	for _, it := range e.Items {
		if it.Submission == "" {
			continue
		}
		for range 5 {
			sub, err := p.cfg.Store.Submission(it.Submission)
			if err != nil {
				return err
			}
			if sub.Slug != "" {
				break
			}
			slug := p.uniqueSlug(sub)
			_, err = p.cfg.Store.UpdateSubmission(sub.ID, actor, func(cur *store.Submission) error {
				cur.Slug = slug
				return nil
			})
			if errors.Is(err, store.ErrExists) {
				continue // taken in between: pick again
			}
			if err != nil {
				return err
			}
			break
		}
	}
	return nil
}

// uniqueSlug is a slug for sub that no other submission and no story in
// content/ uses: its own, or the pinyin of its headline, numbered if taken.
func (p *Service) uniqueSlug(sub store.Submission) string {
	if sub.Slug != "" {
		return sub.Slug
	}
	base := content.Slugify(sub.Title)
	if base == "" {
		base = "story-" + sub.ID
	}
	var c *content.Content
	if sn := p.cfg.Snapshot(); sn != nil {
		c = sn.Content
	}
	for n := 1; ; n++ {
		slug := base
		if n > 1 {
			slug = fmt.Sprintf("%s-%d", base, n)
		}
		if c != nil && c.Story(slug) != nil {
			continue
		}
		other, err := p.cfg.Store.SubmissionBySlug(slug)
		if err == nil && other.ID != sub.ID {
			continue
		}
		return slug
	}
}
