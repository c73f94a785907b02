//go:build !unix

package site

func syncFS() {}
