package store_test

import (
	"errors"
	"testing"

	"github.com/banmian/banmian/internal/store"
)

func deskUsers(t *testing.T, s *store.Store) {
	t.Helper()
	for _, u := range []store.User{
		{Name: "王编辑", Role: store.RoleEditor},
		{Name: "管理员", Role: store.RoleAdmin},
		{Name: "张三", Role: store.RoleSubmitter, Office: "长征镇"},
		{Name: "李四", Role: store.RoleSubmitter, Office: "甘泉路街道"},
	} {
		if _, err := s.CreateUser(u, "一个足够长的密码123"); err != nil {
			t.Fatal(err)
		}
	}
}

// TestNotifications: submitting tells every editor but the actor, the
// editor's decisions tell the author, and one user cannot read or mark
// another's inbox.
func TestNotifications(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	deskUsers(t, s)
	sub := mustSubmission(t, s, "长征镇", "张三", "长征镇社区食堂开张")
	for _, step := range []struct {
		a     store.Action
		actor string
		note  string
	}{{"submit", "张三", ""}, {"return", "王编辑", "请补充开张日期"}, {"submit", "张三", ""}, {"accept", "王编辑", ""}} {
		if err := s.Transition(sub.ID, step.a, step.actor, step.note); err != nil {
			t.Fatalf("%s: %v", step.a, err)
		}
	}
	got, unread, err := s.Notifications("张三", 0)
	if err != nil || unread != 2 || len(got) != 2 {
		t.Fatalf("张三: %d unread, %+v, %v", unread, got, err)
	}
	if got[0].Kind != store.NoticeAccepted || got[1].Kind != store.NoticeReturned || got[1].Note != "请补充开张日期" || got[1].Submission != sub.ID {
		t.Errorf("张三's inbox, newest first: %+v", got)
	}
	ed, unread, _ := s.Notifications("管理员", 0)
	if unread != 2 || ed[0].Kind != store.NoticeResubmitted || ed[1].Kind != store.NoticeSubmitted {
		t.Errorf("管理员's inbox: %+v", ed)
	}
	// 王编辑 took the actions and was told of the submissions.
	if _, unread, _ := s.Notifications("王编辑", 0); unread != 2 {
		t.Errorf("王编辑 has %d unread", unread)
	}
	if others, _, _ := s.Notifications("李四", 0); len(others) != 0 {
		t.Errorf("李四 of another office was told: %+v", others)
	}
	if err := s.MarkNotificationRead("李四", got[0].ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("marking another user's notification: %v", err)
	}
	if err := s.MarkNotificationRead("张三", got[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, unread, _ := s.Notifications("张三", 0); unread != 1 {
		t.Errorf("after reading one: %d unread", unread)
	}
	if err := s.MarkNotificationRead("张三", "all"); err != nil {
		t.Fatal(err)
	}
	if _, unread, _ := s.Notifications("张三", 0); unread != 0 {
		t.Errorf("after reading all: %d unread", unread)
	}
	if _, unread, _ := s.Notifications("管理员", 0); unread != 2 {
		t.Errorf("reading 张三's inbox changed 管理员's: %d unread", unread)
	}
}

func TestDeleteDraft(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	deskUsers(t, s)
	sub := mustSubmission(t, s, "长征镇", "张三", "")
	if err := s.DeleteDraft(sub.ID, "李四"); !errors.Is(err, store.ErrForbidden) {
		t.Errorf("another user deleting: %v", err)
	}
	if err := s.DeleteDraft(sub.ID, "张三"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Submission(sub.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if list, _ := s.Submissions(store.SubmissionFilter{Office: "长征镇"}); len(list) != 0 {
		t.Errorf("the office index still lists it: %+v", list)
	}
	sent := mustSubmission(t, s, "长征镇", "张三", "已投稿的稿件")
	if err := s.Transition(sent.ID, "submit", "张三", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteDraft(sent.ID, "张三"); !errors.Is(err, store.ErrNotEditable) {
		t.Errorf("deleting a submitted story: %v", err)
	}
}

func TestReopen(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	deskUsers(t, s)
	sub := mustSubmission(t, s, "长征镇", "张三", "长征镇社区食堂开张")
	if err := s.Reopen(sub.ID, "张三"); !errors.Is(err, store.ErrInvalidTransition) {
		t.Errorf("reopening a draft: %v", err)
	}
	if err := s.Transition(sub.ID, "withdraw", "张三", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Reopen(sub.ID, "李四"); !errors.Is(err, store.ErrForbidden) {
		t.Errorf("another office reopening: %v", err)
	}
	if err := s.Reopen(sub.ID, "张三"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Submission(sub.ID); got.Status != store.StatusDraft {
		t.Errorf("reopened: %s", got.Status)
	}
	// A rejected story, and an accepted one the editor changes their mind on.
	for _, a := range []store.Action{"submit", "accept", "reject"} {
		if err := s.Transition(sub.ID, a, "王编辑", ""); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	if err := s.Reopen(sub.ID, "王编辑"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Submission(sub.ID); got.Status != store.StatusDraft {
		t.Errorf("reopened after rejection: %s", got.Status)
	}
}
