package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/banmian/banmian/internal/search"
)

// apiSearch: GET /api/search?q=&offset=&limit= over the published stories,
// answered from Config.Index. It is the fallback while no
// Config.SearchHandler (the search package's handler) is mounted.
func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if s.cfg.Index == nil {
		return errorf(http.StatusServiceUnavailable, "搜索索引不可用")
	}
	q := r.URL.Query()
	text := strings.TrimSpace(q.Get("q"))
	if text == "" {
		return errorf(http.StatusBadRequest, "请输入搜索词（q）")
	}
	if len(text) > 200 {
		return errorf(http.StatusBadRequest, "搜索词过长")
	}
	query := search.Query{Text: text, Credit: q.Get("credit"), Tag: q.Get("tag")}
	query.Offset, _ = strconv.Atoi(q.Get("offset"))
	query.Limit, _ = strconv.Atoi(q.Get("limit"))
	res, err := s.cfg.Index.Search(r.Context(), query)
	if err != nil {
		return err
	}
	s.json(w, http.StatusOK, res)
	return nil
}
