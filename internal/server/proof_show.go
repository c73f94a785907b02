package server

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"testing/fstest"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/layout"
)

// proofContentFS is the live content with the stored edition for date
// laid over it (its stories and boxes as they would be published), so an
// unpublished page can be proofed, and the files its photos are read
// from: the edition's own files as they would be published, then
// content/.
func (s *Server) proofContentFS(date string) (*content.Content, *content.Edition, fs.FS, error) {
	e, err := s.st.Edition(date)
	if err != nil {
		return nil, nil, nil, err
	}
	sn := s.snapshot()
	if sn == nil {
		return nil, nil, nil, errors.New("the site has not been built")
	}
	files, stories, _, err := s.pub.EditionFiles(e)
	if err != nil {
		return nil, nil, nil, err
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
				return nil, nil, nil, errs.Err()
			}
			c.Boxes[id] = b
		}
	}
	ce, errs := content.ParseEdition("editions/"+date+".yaml", files["editions/"+date+".yaml"])
	if len(errs) > 0 {
		return nil, nil, nil, errs.Err()
	}
	mfs := fstest.MapFS{}
	for p, data := range files {
		mfs[p] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	return &c, ce, overlayFS{mfs, os.DirFS(s.cfg.Source)}, nil
}

// proofShow shows the print preview of an edition (HTML).
func (s *Server) proofShow(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	cc, ce, assets, err := s.proofContentFS(r.PathValue("date"))
	if err != nil {
		return err
	}
	html, _, err := layout.Preview(cc, ce, layout.Options{NoScript: true, ZoomToFit: true, Assets: assets})
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
	cc, ce, assets, err := s.proofContentFS(r.PathValue("date"))
	if err != nil {
		return err
	}
	html, _, err := layout.Preview(cc, ce, layout.Options{Clean: true, Assets: assets})
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

// overlayFS reads from the first file system that has the file.
type overlayFS [2]fs.FS

func (o overlayFS) Open(name string) (fs.File, error) {
	f, err := o[0].Open(name)
	if err == nil {
		return f, nil
	}
	return o[1].Open(name)
}
