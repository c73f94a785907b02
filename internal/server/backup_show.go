package server

import (
	"net/http"
)

// backupShow sends a consistent copy of the editorial store, taken while
// the server keeps running (GET /desk/admin/backup from the browser, GET
// /api/backup with an admin's token): banmian backup cannot open the store
// while serve holds it. The copy is a data file: restore it by stopping
// the server and putting it in place of DATA/banmian.db. The search
// indexes are not in it; the server rebuilds them from content/ and the
// store at start.
func (s *Server) backupShow(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	name := "banmian-" + s.now().In(cst).Format("20060102-150405") + ".db"
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	n, err := s.st.Backup(w)
	if err != nil {
		if n == 0 {
			h.Del("Content-Disposition")
			return err
		}
		// Too late for an error page: the client sees a cut-off file.
		s.log.Error("backup interrupted", "bytes", n, "err", err)
		return nil
	}
	s.log.Info("backup downloaded", "by", c.user.Name, "bytes", n)
	return nil
}
