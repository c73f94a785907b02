// Package content is the domain model of a section page: the site
// configuration, stories, editions (dated pages) and boxes, how they are read
// from a content folder and how they are validated and written back.
//
// Layout of a content folder:
//
//	site.yaml (or site.toml)      site configuration; optional
//	stories/**.md                 one story per Markdown file (any .md outside
//	                              editions/ and boxes/ is a story, so a Hugo
//	                              content folder builds; _index.md is skipped)
//	editions/YYYY-MM-DD.yaml      one dated page each
//	boxes/<id>.yaml               typed boxes (荣誉榜 honour rolls) placed on editions
//
// Guarantees: Load never stops at the first problem; it returns every
// problem it finds as an ErrorList whose entries carry the file and line at
// fault. Values returned by Load are not shared with any cache and may be
// modified by the caller. Marshal functions produce files that Load reads
// back to equal values (round trip).
package content
