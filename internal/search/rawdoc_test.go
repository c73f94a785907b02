package search

import (
	"reflect"
	"testing"
)

func TestEncodeDocRoundTrip(t *testing.T) {
	t.Parallel()
	for _, d := range append(sampleDocs(t), append(decoyDocs(), Doc{ID: "empty"})...) {
		d = d.normalized()
		got, err := decodeDoc(encodeDoc(d))
		if err != nil {
			t.Fatalf("%s: %v", d.ID, err)
		}
		if len(d.Tags) == 0 {
			d.Tags = nil
		}
		if !reflect.DeepEqual(got, d) {
			t.Errorf("%s: got %+v, want %+v", d.ID, got, d)
		}
		if b := encodeDoc(d); len(b) > 0 {
			if _, err := decodeDoc(b[:len(b)-1]); err == nil {
				t.Errorf("%s: truncated story decoded", d.ID)
			}
		}
	}
}
