//go:build !linux

package server

import "net"

// peerIsUs trusts the socket file's mode (0600) where peer credentials are
// not checked.
func peerIsUs(c net.Conn) bool { return true }
