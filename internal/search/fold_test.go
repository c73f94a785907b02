package search

import (
	"testing"

	"github.com/longbridgeapp/opencc"
)

// TestFoldTableMatchesOpenCC: the generated table (tsfold.txt) is
// OpenCC's character conversion as the opencc module in go.mod does it;
// after upgrading the module, run go generate.
func TestFoldTableMatchesOpenCC(t *testing.T) {
	t.Parallel()
	cc, err := opencc.New("t2s")
	if err != nil {
		t.Fatal(err)
	}
	if len(tsFold) < 4000 {
		t.Fatalf("table has %d characters", len(tsFold))
	}
	bad := 0
	for from, to := range tsFold {
		got, err := cc.Convert(string(from))
		if err != nil {
			t.Fatal(err)
		}
		if got != string(to) {
			bad++
			if bad <= 10 {
				t.Errorf("%c folds to %c, opencc converts it to %s", from, to, got)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d characters disagree with opencc", bad, len(tsFold))
	}
}

func TestFoldTraditional(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"長征鎮", "长征镇"},
		{"小區", "小区"},
		{"ABC臺灣", "abc台湾"},
		{"长征镇", "长征镇"},
		{"著名", "著名"}, // 著 stays: OpenCC keeps it
	} {
		if got := foldString(c.in); got != c.want {
			t.Errorf("foldString(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
