package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/banmian/banmian/internal/store"
)

// savePhotos stores the photos of a multipart form (fields "photo", with
// "caption" fields in the same order) on submission id. Its errors name
// the photo field, for the form.
func (s *Server) savePhotos(r *http.Request, c *reqCtx, id string) error {
	err := s.savePhotoFiles(r, c, id)
	var e *Error
	if errors.As(err, &e) {
		e2 := *e
		e2.Field = "photo"
		return &e2
	}
	return err
}

func (s *Server) savePhotoFiles(r *http.Request, c *reqCtx, id string) error {
	if r.MultipartForm == nil {
		return nil
	}
	files := r.MultipartForm.File["photo"]
	captions := r.MultipartForm.Value["caption"]
	for i, fh := range files {
		if fh.Size == 0 {
			continue
		}
		data, err := readUpload(fh, s.cfg.MaxPhotoBytes)
		if err != nil {
			return err
		}
		p, err := processPhotoContext(r.Context(), data, photoDecodes)
		if err != nil {
			return err
		}
		sub, err := s.st.Submission(id)
		if err != nil {
			return err
		}
		if len(sub.Photos) >= store.MaxPhotos {
			return errorf(http.StatusBadRequest, "每篇稿件最多 %d 张照片", store.MaxPhotos)
		}
		caption := ""
		if i < len(captions) {
			caption = strings.TrimSpace(captions[i])
		}
		name := nextPhotoName(sub, p.Ext)
		if _, err := s.st.PutPhoto(id, c.user.Name, store.Photo{Name: name, Caption: caption, Width: p.Width, Height: p.Height, Type: p.Type, Size: int64(len(p.Data))}, p.Data); err != nil {
			return err
		}
	}
	return nil
}

// nextPhotoName numbers photos 1.jpg, 2.png, …
func nextPhotoName(sub store.Submission, ext string) string {
	n := 1
	for {
		taken := false
		for _, p := range sub.Photos {
			if base, _, _ := strings.Cut(p.Name, "."); base == strconv.Itoa(n) {
				taken = true
			}
		}
		if !taken {
			return fmt.Sprintf("%d%s", n, ext)
		}
		n++
	}
}

// photoUpload adds photos to a submission.
func (s *Server) photoUpload(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sub, err := s.submission(c, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !c.mayEdit(sub) {
		return errForbidden
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if err := s.savePhotos(r, c, sub.ID); err != nil {
		return err
	}
	return redirect(w, r, "/desk/submissions/"+sub.ID+"?msg=photo")
}

// photoShow sends a photo of a submission.
func (s *Server) photoShow(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sub, err := s.submission(c, r.PathValue("id"))
	if err != nil {
		return err
	}
	p, data, err := s.st.PhotoData(sub.ID, r.PathValue("name"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", p.Type)
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Write(data)
	return nil
}

// photoDelete removes a photo.
func (s *Server) photoDelete(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sub, err := s.submission(c, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !c.mayEdit(sub) {
		return errForbidden
	}
	if _, err := s.st.DeletePhoto(sub.ID, r.PathValue("name"), c.user.Name); err != nil {
		return err
	}
	return redirect(w, r, "/desk/submissions/"+sub.ID+"?msg=saved")
}
