package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/site"
	"github.com/banmian/banmian/internal/store"
)

// PublishResult describes a finished publish.
type PublishResult struct {
	Date     string        `json:"date"`
	Stories  []string      `json:"stories"` // reader URLs
	Files    []string      `json:"files"`   // content paths written
	Build    string        `json:"build"`
	Duration time.Duration `json:"duration"`
}

// CrashEnv names the environment variable of the crash test hook: set to
// a publish step (files, build, index, store or committed), the server
// prints a line naming the step to standard error when a publish reaches
// it and then stops there, so a test can kill the process with SIGKILL at
// exactly that point. After 30 seconds it exits with status 137 itself.
// It is for tests only; nothing else reads it.
const CrashEnv = "BANMIAN_TEST_CRASH_AT"

// crashPoint stops the process at step name when CrashEnv asks for it.
func (s *Server) crashPoint(name string) {
	if s.crashAt == "" || s.crashAt != name {
		return
	}
	fmt.Fprintf(os.Stderr, "%s: reached %s, waiting to be killed\n", CrashEnv, name)
	time.Sleep(30 * time.Second)
	os.Exit(137)
}

// step runs the test hooks for a publish step: files (content/ written),
// build (site rebuilt), index (search index updated), store (just before
// the store transaction).
func (s *Server) step(name string) error {
	s.crashPoint(name)
	if s.failAt != nil {
		return s.failAt(name)
	}
	return nil
}

// storyDate is midnight of an edition date in China Standard Time.
func storyDate(date string) time.Time {
	t, _ := time.ParseInLocation(content.DateLayout, date, cst)
	return t
}

// storyPath is where a story is written: a page bundle folder when it has
// photos, else one file; an existing story keeps its path.
func (s *Server) storyPath(slug string, photos bool) string {
	if sn := s.snapshot(); sn != nil {
		if st := sn.Content.Story(slug); st != nil {
			return st.Path
		}
	}
	if photos {
		return "stories/" + slug + "/index.md"
	}
	return "stories/" + slug + ".md"
}

// editionFiles turns a stored edition into content files: its stories
// (with photos), its boxes and the edition file.
func (s *Server) editionFiles(e store.Edition) (map[string][]byte, []*content.Story, store.Built, error) {
	files := map[string][]byte{}
	var stories []*content.Story
	var subs []store.Submission
	ce := &content.Edition{Date: storyDate(e.Date), Page: e.Page, Title: e.Title, Note: e.Note, Masthead: e.Masthead}
	for _, it := range e.Items {
		if it.Box != nil {
			b := *it.Box
			if err := validBox(&b, "box"); err != nil {
				return nil, nil, store.Built{}, err
			}
			data, err := content.MarshalBox(&b)
			if err != nil {
				return nil, nil, store.Built{}, err
			}
			files["boxes/"+b.ID+".yaml"] = data
			ce.Items = append(ce.Items, content.Item{Box: b.ID, Lead: it.Lead, Module: it.Module})
			continue
		}
		sub, err := s.st.Submission(it.Submission)
		if err != nil {
			return nil, nil, store.Built{}, err
		}
		subs = append(subs, sub)
		if sub.Slug == "" {
			return nil, nil, store.Built{}, errorf(http.StatusConflict, "稿件《%s》还没有网址（slug），请先保存版面", sub.Title)
		}
		st := &content.Story{
			Slug: sub.Slug, Title: sub.Title, Kicker: sub.Kicker, Subtitle: sub.Subtitle,
			Credit: sub.Office, Date: storyDate(e.Date), Edition: e.Date, Tags: sub.Tags,
			Body: []byte(sub.Body),
		}
		st.Path = s.storyPath(sub.Slug, len(sub.Photos) > 0)
		if len(sub.Photos) > 0 {
			var list []any
			dir := path.Dir(st.Path)
			for _, p := range sub.Photos {
				_, data, err := s.st.PhotoData(sub.ID, p.Name)
				if err != nil {
					return nil, nil, store.Built{}, err
				}
				files[dir+"/"+p.Name] = data
				list = append(list, map[string]any{"file": p.Name, "caption": p.Caption})
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

// readerRoot is the path the reader site lives under (from baseURL).
func (s *Server) readerRoot() string {
	return search.SiteRoot(s.siteConfig().BaseURL)
}

// searchDoc is a story as the search index sees it.
func (s *Server) searchDoc(st *content.Story) (search.Doc, error) {
	doc, err := s.md.Render(st.Body)
	if err != nil {
		return search.Doc{}, err
	}
	return search.FromStory(st, doc.Text, search.StoryURL(s.siteConfig().BaseURL, st.Slug)), nil
}

// SyncIndex makes the search index hold exactly the stories of the live
// site (when the index supports Sync, as *search.Index does). The server
// calls nothing else at start; banmian serve runs it in the background.
func (s *Server) SyncIndex(ctx context.Context) error {
	x, ok := s.cfg.Index.(interface {
		Sync(ctx context.Context, docs []search.Doc) (search.SyncStats, error)
	})
	sn := s.snapshot()
	if !ok || sn == nil {
		return nil
	}
	texts, err := sn.Texts(ctx)
	if err != nil {
		return err
	}
	_, err = x.Sync(ctx, search.FromTexts(sn.Content, texts))
	return err
}

// indexStories puts stories into the search index; undo removes them
// again (or puts back the old versions of replaced ones).
func (s *Server) indexStories(stories []*content.Story, old map[string]*content.Story) (undo func(), err error) {
	var done []string
	undo = func() {
		if s.cfg.Index == nil {
			return
		}
		for _, slug := range done {
			if o := old[slug]; o != nil {
				if d, err := s.searchDoc(o); err == nil {
					s.cfg.Index.Put(d)
				}
			} else {
				s.cfg.Index.Delete(slug)
			}
		}
	}
	if s.cfg.Index == nil {
		return undo, nil
	}
	for _, st := range stories {
		d, err := s.searchDoc(st)
		if err != nil {
			return undo, err
		}
		done = append(done, st.Slug)
		if err := s.cfg.Index.Put(d); err != nil {
			return undo, fmt.Errorf("updating the search index: %w", err)
		}
	}
	return undo, nil
}

// oldStories are the live versions of stories about to be replaced.
func (s *Server) oldStories(stories []*content.Story) map[string]*content.Story {
	old := map[string]*content.Story{}
	if sn := s.snapshot(); sn != nil {
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
func (s *Server) change(ctx context.Context, j journal, files map[string][]byte, stories []*content.Story, commit func() error) (site.Stats, error) {
	old := s.oldStories(stories)
	for _, st := range stories {
		if old[st.Slug] == nil {
			j.Slugs = append(j.Slugs, st.Slug)
		}
	}
	tx := newFileTx(s.cfg.Source, j)
	var stats site.Stats
	undoIndex := func() {}
	fail := func(err error) (site.Stats, error) {
		undoIndex()
		rerr := tx.rollback()
		// Rebuild from the restored content: the site is as it was.
		if _, berr := s.builder.Build(context.WithoutCancel(ctx)); berr != nil {
			rerr = errors.Join(rerr, fmt.Errorf("rebuilding the previous site: %w", berr))
		}
		if rerr != nil {
			s.log.Error("rolling back a publish", "err", rerr)
			return stats, errors.Join(err, rerr)
		}
		return stats, err
	}
	if err := tx.apply(files); err != nil {
		return stats, err
	}
	if err := s.step("files"); err != nil {
		return fail(err)
	}
	var err error
	stats, err = s.builder.Build(context.WithoutCancel(ctx))
	if err != nil {
		return fail(fmt.Errorf("building the site: %w", err))
	}
	if err := s.step("build"); err != nil {
		return fail(err)
	}
	undoIndex, err = s.indexStories(stories, old)
	if err != nil {
		return fail(err)
	}
	if err := s.step("index"); err != nil {
		return fail(err)
	}
	if err := commit(); err != nil {
		return fail(err)
	}
	s.crashPoint("committed")
	if err := tx.commit(); err != nil {
		s.log.Error("removing publish backups", "err", err)
	}
	s.reload.send("reload")
	return stats, nil
}

// Publish publishes the edition for date: it writes its stories, photos,
// boxes and edition file into content/, rebuilds the reader site with the
// long-lived Builder, updates the search index and marks the edition and
// its stories published in the store, in that order. Either all of it
// happens or content/, the site, the index and the store stay as they were.
//
// Errors: store errors (not found, already published, nothing on it), a
// failed build with the content problems, index and file system errors.
func (s *Server) Publish(ctx context.Context, date, actor string) (*PublishResult, error) {
	start := time.Now()
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	e, err := s.st.Edition(date)
	if err != nil {
		return nil, err
	}
	if e.Status == store.EditionPublished {
		return nil, fmt.Errorf("edition %s is already published: %w", date, store.ErrInvalidTransition)
	}
	if len(e.Items) == 0 {
		return nil, errorf(http.StatusBadRequest, "版面 %s 上还没有稿件", date)
	}
	if err := s.assignSlugs(e, actor); err != nil {
		return nil, err
	}
	files, stories, built, err := s.editionFiles(e)
	if err != nil {
		return nil, err
	}
	stats, err := s.change(ctx, journal{Edition: date}, files, stories, func() error {
		if err := s.step("store"); err != nil {
			return err
		}
		_, err := s.st.PublishEdition(date, actor, built)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.indexEdition(e)
	res := &PublishResult{Date: date, Build: stats.String(), Duration: time.Since(start)}
	for p := range files {
		res.Files = append(res.Files, p)
	}
	for _, st := range stories {
		res.Stories = append(res.Stories, s.readerRoot()+"stories/"+st.Slug+"/")
	}
	s.log.Info("published", "edition", date, "by", actor, "stories", len(stories), "in", res.Duration)
	return res, nil
}

// correct changes a published story: the store's text and the story file,
// with a dated correction note shown on the story page, as one step.
func (s *Server) correct(ctx context.Context, id, actor string, rev int, f storyFields, note string, may func(store.Submission) error) error {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	sub, err := s.st.Submission(id)
	if err != nil {
		return err
	}
	if rev != 0 && rev != sub.Rev {
		return fmt.Errorf("submission %s: editing revision %d, but revision %d was saved since: %w", id, rev, sub.Rev, store.ErrConflict)
	}
	sn := s.snapshot()
	var live *content.Story
	if sn != nil {
		live = sn.Content.Story(sub.Slug)
	}
	if live == nil {
		return errorf(http.StatusConflict, "在 content/ 中找不到已见报的稿件 %s", sub.Slug)
	}
	src, err := os.ReadFile(s.contentPath(live.Path))
	if err != nil {
		return err
	}
	st, errs := content.ParseStory(live.Path, src)
	if st == nil || len(errs) > 0 {
		return fmt.Errorf("reading %s: %w", live.Path, errs.Err())
	}
	st.Title, st.Kicker, st.Subtitle, st.Tags, st.Body = strings.TrimSpace(f.Title), strings.TrimSpace(f.Kicker), strings.TrimSpace(f.Subtitle), f.Tags, []byte(strings.ReplaceAll(f.Body, "\r\n", "\n"))
	now := s.now().In(cst)
	st.Corrections = append(st.Corrections, content.Correction{Date: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, cst), Note: note})
	data, err := content.MarshalStory(st)
	if err != nil {
		return err
	}
	_, err = s.change(ctx, journal{Story: id, Rev: sub.Rev}, map[string][]byte{live.Path: data}, []*content.Story{st}, func() error {
		if err := s.step("store"); err != nil {
			return err
		}
		_, err := s.saveText(id, actor, sub.Rev, f, "", may)
		return err
	})
	return err
}

// recoverPublish undoes a publish or correction that a crash interrupted
// before its store transaction, or finishes one that got past it.
func (s *Server) recoverPublish() error {
	tx, err := readJournal(s.cfg.Source)
	if err != nil || tx == nil {
		return err
	}
	committed := false
	switch {
	case tx.j.Edition != "":
		if e, err := s.st.Edition(tx.j.Edition); err == nil && e.Status == store.EditionPublished {
			committed = true
		}
	case tx.j.Story != "":
		if sub, err := s.st.Submission(tx.j.Story); err == nil && sub.Rev != tx.j.Rev {
			committed = true
		}
	}
	if committed {
		s.log.Info("finishing an interrupted publish", "edition", tx.j.Edition, "story", tx.j.Story)
		return tx.commit()
	}
	s.log.Info("undoing an interrupted publish", "edition", tx.j.Edition, "story", tx.j.Story)
	if s.cfg.Index != nil {
		for _, slug := range tx.j.Slugs {
			s.cfg.Index.Delete(slug)
		}
	}
	if err := tx.rollback(); err != nil {
		return fmt.Errorf("undoing an interrupted publish in %s: %w", tx.dir, err)
	}
	return nil
}
