package search

import (
	"encoding/json"
	"maps"
	"testing"
)

// The manifest round-trips in its binary form, and an index written with
// the JSON manifest of earlier versions still reads.
func TestManifestForms(t *testing.T) {
	t.Parallel()
	m := manifest{Version: indexVersion, Complete: true, Hashes: map[string]uint64{"xiao-qu-guan-dao": 1 << 63, "长征镇-1": 42, "": 7}}
	got, err := decodeManifest(m.encode())
	if err != nil || got.Version != m.Version || !got.Complete || !maps.Equal(got.Hashes, m.Hashes) {
		t.Errorf("binary round trip: %+v, %v", got, err)
	}
	old, _ := json.Marshal(m)
	if got, err := decodeManifest(old); err != nil || !maps.Equal(got.Hashes, m.Hashes) {
		t.Errorf("JSON manifest: %+v, %v", got, err)
	}
	enc := m.encode()
	for _, bad := range [][]byte{nil, []byte("garbage"), enc[:len(enc)-3], enc[:len(manifestMagic)+2]} {
		if _, err := decodeManifest(bad); err == nil {
			t.Errorf("damaged manifest %q read without error", bad)
		}
	}
}
