package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/store"
)

// fieldErrors are the messages shown next to the form fields at fault,
// by field name (kicker, title, subtitle, body, tags, office, mdfile,
// photo, note).
type fieldErrors map[string]string

// msgFixFields heads a form sent back with field errors.
const msgFixFields = "稿件没有保存：请按标红的提示修改后再提交，已填写的内容都还在。"

// checkFields checks a story form before anything is stored, with the
// store's limits, and with a title and a body required for 投稿.
func checkFields(f storyFields, submit bool) fieldErrors {
	errs := fieldErrors{}
	for _, fl := range []struct{ name, label, v string }{
		{"kicker", "引题", f.Kicker}, {"title", "主题", f.Title}, {"subtitle", "副题", f.Subtitle},
	} {
		if n := utf8.RuneCountInString(strings.TrimSpace(fl.v)); n > store.MaxFieldChars {
			errs[fl.name] = fmt.Sprintf("%s最多 %d 字，现在有 %d 字", fl.label, store.MaxFieldChars, n)
		}
	}
	if content.BodySize(f.Body) > store.MaxBodyBytes {
		errs["body"] = fmt.Sprintf("正文过长（上限约 %d 万字）", store.MaxBodyBytes/3/10000)
	}
	if len(f.Tags) > store.MaxTags {
		errs["tags"] = fmt.Sprintf("标签最多 %d 个", store.MaxTags)
	}
	for _, t := range f.Tags {
		if utf8.RuneCountInString(t) > store.MaxTagChars {
			errs["tags"] = fmt.Sprintf("每个标签最多 %d 字：%s", store.MaxTagChars, t)
		}
	}
	if submit {
		if strings.TrimSpace(f.Title) == "" {
			errs["title"] = "投稿前请填写主题（标题）"
		}
		if strings.TrimSpace(f.Body) == "" {
			errs["body"] = "投稿前请填写正文"
		}
	}
	return errs
}

// fieldOf names the form field a store or upload error is about, so the
// form can show it in place.
func fieldOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Field != "" {
		return e.Field
	}
	return ""
}

// postedSubmission is the story as the form posted it (before any .md
// upload is merged), to show the form again with everything typed.
func postedSubmission(r *http.Request, base store.Submission) store.Submission {
	base.Kicker = r.PostFormValue("kicker")
	base.Title = r.PostFormValue("title")
	base.Subtitle = r.PostFormValue("subtitle")
	base.Body = r.PostFormValue("body")
	if o := strings.TrimSpace(r.PostFormValue("office")); o != "" {
		base.Office = o
	}
	for i, p := range base.Photos {
		if v, ok := r.PostForm["caption:"+p.Name]; ok && len(v) > 0 {
			base.Photos[i].Caption = v[0]
		}
	}
	return base
}
