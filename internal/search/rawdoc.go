package search

import (
	"encoding/binary"
	"errors"
	"time"
)

// The server index stores each normalised Doc in a compact binary form
// (decoding JSON was a fifth of a query's time): uvarint-prefixed
// strings Slug, Title, Kicker, Subtitle, Body, Credit, Edition, URL, a
// uvarint tag count and the tags, then the date as a varint Unix time.

func encodeDoc(d Doc) []byte {
	n := 32 + len(d.ID) + len(d.Title) + len(d.Kicker) + len(d.Subtitle) + len(d.Body) + len(d.Credit) + len(d.Edition) + len(d.URL)
	for _, t := range d.Tags {
		n += 4 + len(t)
	}
	b := make([]byte, 0, n)
	for _, s := range []string{d.ID, d.Title, d.Kicker, d.Subtitle, d.Body, d.Credit, d.Edition, d.URL} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(d.Tags)))
	for _, t := range d.Tags {
		b = binary.AppendUvarint(b, uint64(len(t)))
		b = append(b, t...)
	}
	return binary.AppendVarint(b, d.Date.Unix())
}

var errBadDoc = errors.New("damaged stored story")

// cutString reads a uvarint-length-prefixed string off the front of b
// and returns it with the rest; ok is false for a damaged prefix.
func cutString(b []byte) (s string, rest []byte, ok bool) {
	l, n := binary.Uvarint(b)
	if n <= 0 || l > uint64(len(b)-n) {
		return "", b, false
	}
	return string(b[n : n+int(l)]), b[n+int(l):], true
}

func decodeDoc(b []byte) (Doc, error) {
	var d Doc
	str := func() (s string, ok bool) {
		s, b, ok = cutString(b)
		return s, ok
	}
	for _, p := range []*string{&d.ID, &d.Title, &d.Kicker, &d.Subtitle, &d.Body, &d.Credit, &d.Edition, &d.URL} {
		s, ok := str()
		if !ok {
			return d, errBadDoc
		}
		*p = s
	}
	nt, n := binary.Uvarint(b)
	if n <= 0 || nt > uint64(len(b)) {
		return d, errBadDoc
	}
	b = b[n:]
	for i := uint64(0); i < nt; i++ {
		s, ok := str()
		if !ok {
			return d, errBadDoc
		}
		d.Tags = append(d.Tags, s)
	}
	sec, n := binary.Varint(b)
	if n <= 0 || n != len(b) {
		return d, errBadDoc
	}
	d.Date = time.Unix(sec, 0).UTC()
	return d, nil
}
