package search_test

import (
	"reflect"
	"testing"

	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/search/searchtest"
)

func TestEncodeDocRoundTrip(t *testing.T) {
	for _, d := range append(searchtest.SampleDocs(t), append(searchtest.DecoyDocs(), search.Doc{ID: "empty"})...) {
		d = d.Normalized()
		got, err := search.DecodeDoc(search.EncodeDoc(d))
		if err != nil {
			t.Fatalf("%s: %v", d.ID, err)
		}
		if len(d.Tags) == 0 {
			d.Tags = nil
		}
		if !reflect.DeepEqual(got, d) {
			t.Errorf("%s: got %+v, want %+v", d.ID, got, d)
		}
		if b := search.EncodeDoc(d); len(b) > 0 {
			if _, err := search.DecodeDoc(b[:len(b)-1]); err == nil {
				t.Errorf("%s: truncated story decoded", d.ID)
			}
		}
	}
}
