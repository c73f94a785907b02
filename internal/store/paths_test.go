package store_test

import (
	"errors"
	"testing"

	"github.com/banmian/banmian/internal/store"
	"github.com/banmian/banmian/internal/store/storetest"
)

// Break 1: tags and offices made only of dots or slashes read like paths
// and are refused.
func TestPathLikeTagsAndOfficesAreRefused(t *testing.T) {
	t.Parallel()
	st := storetest.MustOpen(t, store.Options{})
	storetest.MustCreateUser(t, st, "changzheng", store.RoleSubmitter, "长征镇")
	for _, bad := range []string{"..", ".", "/", "../..", "./", " . ", `\`} {
		if _, err := st.CreateSubmission(store.Submission{Office: "长征镇", Title: "标签", Tags: []string{bad}}, "changzheng"); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("tag %q: %v, want ErrInvalid", bad, err)
		}
		if _, err := st.CreateSubmission(store.Submission{Office: bad, Title: "单位"}, "changzheng"); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("office %q: %v, want ErrInvalid", bad, err)
		}
		if _, err := st.CreateUser(store.User{Name: "dots", Role: store.RoleSubmitter, Office: bad}, storetest.Password); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("user office %q: %v, want ErrInvalid", bad, err)
		}
	}
	for _, good := range []string{"……", "长征镇", "v1.2", "24/7"} {
		if _, err := st.CreateSubmission(store.Submission{Office: "长征镇", Title: "标签", Tags: []string{good}}, "changzheng"); err != nil {
			t.Errorf("tag %q refused: %v", good, err)
		}
	}
}
