package server

import (
	"testing"

	"github.com/banmian/banmian/internal/store"
)

// TestAPIFailedSubmitLeavesNothing: POST /api/submissions?submit=1 of a
// story that cannot be submitted (no title) is refused and, as with the
// form's 投稿, leaves no draft behind.
func TestAPIFailedSubmitLeavesNothing(t *testing.T) {
	e := newEnv(t)
	before, err := e.st.Submissions(store.SubmissionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := e.api("changzheng", "POST", "/api/submissions?submit=1", "application/json", `{"title":"","body":"只有正文，没有标题。"}`)
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Fatalf("submit without a title: %d %s, want a 4xx", resp.StatusCode, body)
	}
	after, err := e.st.Submissions(store.SubmissionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("a failed submit left %d submission(s) behind", len(after)-len(before))
	}
}
