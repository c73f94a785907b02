package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/store"
)

// TestSubmissionPage: a page of what a filter selects, newest first or in
// the order of given IDs, with the total the filter selects.
func TestSubmissionPage(t *testing.T) {
	t.Parallel()
	s, clock := newStore(t)
	offices := []string{"长征镇", "桃浦镇", "长征镇", "真如镇", "长征镇", "长征镇", "桃浦镇"}
	var ids []string
	for i, office := range offices {
		clock.Set(time.Date(2025, 5, 10, 12, 0, i, 0, time.UTC))
		sub := mustSubmission(t, s, office, "张三", office+"新闻")
		if i%3 != 2 {
			if err := s.Transition(sub.ID, store.ActionSubmit, "张三", ""); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, sub.ID)
	}
	submitted := []store.Status{store.StatusSubmitted}
	tests := []struct {
		name      string
		byID      []int // indexes into ids for SubmissionPageByID; nil for SubmissionPage
		f         store.SubmissionFilter
		want      []int // indexes into ids
		wantTotal int
	}{
		{"第一页", nil, store.SubmissionFilter{Limit: 3}, []int{6, 5, 4}, 7},
		{"第二页", nil, store.SubmissionFilter{Offset: 3, Limit: 3}, []int{3, 2, 1}, 7},
		{"最后一页", nil, store.SubmissionFilter{Offset: 6, Limit: 3}, []int{0}, 7},
		{"越过末尾", nil, store.SubmissionFilter{Offset: 9, Limit: 3}, []int{}, 7},
		{"不限条数", nil, store.SubmissionFilter{Offset: 5}, []int{1, 0}, 7},
		{"单位", nil, store.SubmissionFilter{Office: "长征镇", Limit: 2}, []int{5, 4}, 4},
		{"单位和状态", nil, store.SubmissionFilter{Office: "长征镇", Statuses: submitted, Offset: 1, Limit: 2}, []int{0}, 2},
		{"状态", nil, store.SubmissionFilter{Statuses: []store.Status{store.StatusDraft}}, []int{5, 2}, 2},
		{"作者", nil, store.SubmissionFilter{Author: "李四"}, []int{}, 0},
		{"按给定次序", []int{3, 0, 6, 1}, store.SubmissionFilter{Limit: 2}, []int{3, 0}, 4},
		{"按给定次序第二页", []int{3, 0, 6, 1}, store.SubmissionFilter{Offset: 2, Limit: 2}, []int{6, 1}, 4},
		{"给定次序限单位", []int{3, 0, 6, 2, 4}, store.SubmissionFilter{Office: "长征镇"}, []int{0, 2, 4}, 3},
		{"给定次序限状态", []int{5, 4, 2, 0}, store.SubmissionFilter{Statuses: submitted, Limit: 1}, []int{4}, 2},
		{"重复的编号只算一次", []int{1, 1, 0}, store.SubmissionFilter{}, []int{1, 0}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []store.Submission
			var total int
			var err error
			if tt.byID == nil {
				got, total, err = s.SubmissionPage(tt.f)
			} else {
				var in []string
				for _, i := range tt.byID {
					in = append(in, ids[i])
				}
				got, total, err = s.SubmissionPageByID(in, tt.f)
			}
			if err != nil {
				t.Fatal(err)
			}
			gotIdx := []int{}
			for _, sub := range got {
				if sub.Title == "" {
					t.Errorf("%s read without its fields", sub.ID)
				}
				gotIdx = append(gotIdx, slices.Index(ids, sub.ID))
			}
			if !slices.Equal(gotIdx, tt.want) || total != tt.wantTotal {
				t.Errorf("got %v of %d, want %v of %d", gotIdx, total, tt.want, tt.wantTotal)
			}
		})
	}
	// A deleted draft is neither listed nor counted.
	if err := s.DeleteDraft(ids[5], "张三"); err != nil {
		t.Fatal(err)
	}
	if _, total, _ := s.SubmissionPage(store.SubmissionFilter{Office: "长征镇"}); total != 3 {
		t.Errorf("after deleting a draft: %d of 长征镇", total)
	}
	if got, total, _ := s.SubmissionPageByID([]string{ids[5], ids[4]}, store.SubmissionFilter{}); total != 1 || got[0].ID != ids[4] {
		t.Errorf("by ID after deleting a draft: %d %+v", total, got)
	}
	if _, _, err := s.SubmissionPage(store.SubmissionFilter{Statuses: []store.Status{"lost"}}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("unknown status: %v", err)
	}
}

// TestSubmitNew: a new submission submitted in one transaction has both
// events and tells the editors; one that cannot be submitted leaves
// nothing behind.
func TestSubmitNew(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	deskUsers(t, s)
	var told []store.Notification
	s.OnNotify(func(list []store.Notification) { told = append(told, list...) })
	sub, err := s.SubmitNew(store.Submission{Office: "长征镇", Title: "社区食堂开张", Body: "居民排起了长队。"}, "张三")
	if err != nil {
		t.Fatal(err)
	}
	stored, err := s.Submission(sub.ID)
	if err != nil || stored.Status != store.StatusSubmitted || sub.Status != store.StatusSubmitted || stored.Rev != 1 {
		t.Fatalf("stored %+v (returned %s), %v", stored, sub.Status, err)
	}
	hist, _ := s.History(sub.ID)
	if len(hist) != 2 || hist[0].Action != store.ActionCreate || hist[1].Action != store.ActionSubmit || hist[1].From != store.StatusDraft {
		t.Errorf("history: %+v", hist)
	}
	if revs, _ := s.Revisions(sub.ID); len(revs) != 1 {
		t.Errorf("%d revisions", len(revs))
	}
	if _, unread, _ := s.Notifications("王编辑", 0); unread != 1 || len(told) == 0 {
		t.Errorf("王编辑 has %d unread; hook told %d", unread, len(told))
	}
	if got, _, _ := s.SubmissionPage(store.SubmissionFilter{Statuses: []store.Status{store.StatusSubmitted}}); len(got) != 1 {
		t.Errorf("submitted: %+v", got)
	}

	if _, err := s.SubmitNew(store.Submission{Office: "长征镇", Body: "只有正文，没有标题。"}, "张三"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("submitting without a title: %v", err)
	}
	all, _ := s.Submissions(store.SubmissionFilter{})
	if len(all) != 1 {
		t.Errorf("a failed submit left %d submissions", len(all))
	}
}
