package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/publish"
	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/store"
)

// PublishResult describes a finished publish.
type PublishResult = publish.Result

// Publish publishes the edition for date through the publish service
// (all or nothing; see package publish), then updates the submission
// index, reloads open pages and, with deploy.auto, deploys the site in
// the background.
func (s *Server) Publish(ctx context.Context, date, actor string) (*PublishResult, error) {
	res, err := s.pub.Publish(ctx, date, actor)
	if err != nil {
		return nil, publishError(err)
	}
	if e, err := s.st.Edition(date); err == nil {
		s.indexEdition(e)
	}
	s.reload.send("reload")
	s.deployAfterPublish()
	return res, nil
}

// correct changes a published story with a dated correction note (see
// publish.Service.Correct); the corrected site is deployed like a publish.
func (s *Server) correct(ctx context.Context, id, actor string, rev int, f storyFields, note string, may func(store.Submission) error) error {
	if err := checkBody(f.Body); err != nil {
		return err
	}
	err := s.pub.Correct(ctx, id, actor, rev, publish.Text{Kicker: f.Kicker, Title: f.Title, Subtitle: f.Subtitle, Body: f.Body, Tags: f.Tags}, note, may)
	if err != nil {
		return publishError(err)
	}
	s.indexSubmissions(id)
	s.reload.send("reload")
	s.deployAfterPublish()
	return nil
}

// publishError maps the publish service's domain errors to what the desk
// shows; store errors and content problems map in statusOf.
func publishError(err error) error {
	switch {
	case errors.Is(err, publish.ErrEmpty):
		return &Error{Status: http.StatusBadRequest, Message: "版面上还没有稿件", Err: err}
	case errors.Is(err, publish.ErrNoSlug):
		return &Error{Status: http.StatusConflict, Message: "有稿件还没有网址（slug），请先保存版面", Err: err}
	case errors.Is(err, publish.ErrNotLive):
		return &Error{Status: http.StatusConflict, Message: "在网站上找不到这篇已见报的稿件", Err: err}
	case errors.Is(err, publish.ErrInterrupted):
		return &Error{Status: http.StatusServiceUnavailable, Message: "上一次发布被中断，请重启服务器以恢复后再发布", Err: err}
	case errors.Is(err, publish.ErrBuild) && len(content.AsList(err)) == 0:
		return &Error{Status: http.StatusInternalServerError, Message: "网站生成失败，网站和稿件都保持原样；请联系管理员查看服务器日志", Err: err}
	}
	return err
}

// SyncIndex makes the search index hold exactly the stories of the live
// site (when the index supports Sync, as *search.Index does). The server
// calls nothing else at start; banmian serve runs it in the background.
func (s *Server) SyncIndex(ctx context.Context) error {
	x, ok := s.cfg.Index.(interface {
		SyncLazy(ctx context.Context, docs []search.Doc, fill search.Filler) (search.SyncStats, error)
	})
	sn := s.snapshot()
	if !ok || sn == nil {
		return nil
	}
	// Only stories the index lacks or holds in another version are
	// rendered (a restart over a current index renders none).
	fill := func(ctx context.Context, docs []search.Doc, which []int) error {
		texts, err := sn.TextsOf(ctx, which)
		if err != nil {
			return err
		}
		for k, i := range which {
			docs[i].Body = texts[k]
		}
		return nil
	}
	_, err := x.SyncLazy(ctx, search.Stubs(sn.Content), fill)
	return err
}
