package server

import (
	"errors"
	"net/http"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/layout"
)

// proofContent is the live content with the stored edition for date laid
// over it (its stories and boxes as they would be published), so an
// unpublished page can be proofed.
func (s *Server) proofContent(date string) (*content.Content, *content.Edition, error) {
	e, err := s.st.Edition(date)
	if err != nil {
		return nil, nil, err
	}
	sn := s.snapshot()
	if sn == nil {
		return nil, nil, errors.New("the site has not been built")
	}
	files, stories, _, err := s.editionFiles(e)
	if err != nil {
		return nil, nil, err
	}
	c := *sn.Content
	c.Stories = append([]*content.Story(nil), c.Stories...)
	c.Boxes = map[string]*content.Box{}
	for k, v := range sn.Content.Boxes {
		c.Boxes[k] = v
	}
	for _, st := range stories {
		if old := c.Story(st.Slug); old == nil {
			c.Stories = append(c.Stories, st)
		}
	}
	for p, data := range files {
		if len(p) > 6 && p[:6] == "boxes/" {
			id := p[6 : len(p)-5]
			b, errs := content.ParseBox(p, id, data)
			if len(errs) > 0 {
				return nil, nil, errs.Err()
			}
			c.Boxes[id] = b
		}
	}
	ce, errs := content.ParseEdition("editions/"+date+".yaml", files["editions/"+date+".yaml"])
	if len(errs) > 0 {
		return nil, nil, errs.Err()
	}
	return &c, ce, nil
}

// proofShow shows the print preview of an edition (HTML).
func (s *Server) proofShow(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	cc, ce, err := s.proofContent(r.PathValue("date"))
	if err != nil {
		return err
	}
	html, _, err := layout.Preview(cc, ce, layout.Options{NoScript: true})
	if err != nil {
		return err
	}
	secure(w.Header(), cspProof)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(html)
	return nil
}

// proofPDF prints the proof to PDF with the warm Printer.
func (s *Server) proofPDF(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if s.cfg.Printer == nil {
		return errorf(http.StatusServiceUnavailable, "服务器上没有可用的 Chromium，无法生成 PDF 校样")
	}
	cc, ce, err := s.proofContent(r.PathValue("date"))
	if err != nil {
		return err
	}
	html, _, err := layout.Preview(cc, ce, layout.Options{Clean: true})
	if err != nil {
		return err
	}
	pdf, err := s.cfg.Printer.PDF(r.Context(), html)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="proof-`+r.PathValue("date")+`.pdf"`)
	w.Write(pdf)
	return nil
}
