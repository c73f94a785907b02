package main

import "github.com/banmian/banmian/internal/site"

// siteEmitters are the extra outputs of a site build.
func siteEmitters(o *siteOptions) []site.Emitter { return nil }
