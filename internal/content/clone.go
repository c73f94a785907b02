package content

import "slices"

// clone returns a deep copy of s: nothing of it is shared with s (the
// cache keeps its own copy, and every Load returns values its caller
// owns).
func (s *Story) clone() *Story {
	if s == nil {
		return nil
	}
	c := *s
	c.Tags = slices.Clone(s.Tags)
	c.Corrections = slices.Clone(s.Corrections)
	c.Assets = slices.Clone(s.Assets)
	c.Body = slices.Clone(s.Body)
	if s.Params != nil {
		c.Params = cloneValue(s.Params).(map[string]any)
	}
	return &c
}

// clone returns a deep copy of e.
func (e *Edition) clone() *Edition {
	if e == nil {
		return nil
	}
	c := *e
	c.Items = slices.Clone(e.Items)
	c.Layout = slices.Clone(e.Layout)
	if e.Geometry != nil {
		g := *e.Geometry
		g.HeadlineSizes = slices.Clone(g.HeadlineSizes)
		c.Geometry = &g
	}
	return &c
}

// cloneErrs copies a list of problems (each FileError too).
func cloneErrs(l ErrorList) ErrorList {
	if l == nil {
		return nil
	}
	out := make(ErrorList, len(l))
	for i, e := range l {
		c := *e
		out[i] = &c
	}
	return out
}

// cloneValue deep-copies a value decoded from front matter.
func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = cloneValue(x)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, x := range v {
			l[i] = cloneValue(x)
		}
		return l
	case []byte:
		return slices.Clone(v)
	}
	return v
}
