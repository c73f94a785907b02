package server

import (
	"bufio"
	"encoding/base64"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"
)

// smtpSink is an in-process SMTP server that hands each message it
// receives to a channel.
func smtpSink(t *testing.T) (string, <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	msgs := make(chan string, 8)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(10 * time.Second))
				r := bufio.NewReader(conn)
				say := func(s string) { conn.Write([]byte(s + "\r\n")) }
				say("220 sink ESMTP")
				var data strings.Builder
				var rcpt string
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					cmd := strings.ToUpper(strings.TrimSpace(line))
					switch {
					case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
						say("250 sink")
					case strings.HasPrefix(cmd, "MAIL"):
						say("250 ok")
					case strings.HasPrefix(cmd, "RCPT"):
						rcpt = strings.TrimSpace(line)
						say("250 ok")
					case cmd == "DATA":
						say("354 go on")
						for {
							l, err := r.ReadString('\n')
							if err != nil {
								return
							}
							if l == ".\r\n" {
								break
							}
							data.WriteString(l)
						}
						say("250 queued")
						msgs <- rcpt + "\n" + data.String()
					case cmd == "QUIT":
						say("221 bye")
						return
					default:
						say("250 ok")
					}
				}
			}()
		}
	}()
	return ln.Addr().String(), msgs
}

// TestMailNotifications: with an SMTP server configured, a return is
// mailed to the story's author, in Chinese, with the editor's note.
func TestMailNotifications(t *testing.T) {
	t.Parallel()
	addr, msgs := smtpSink(t)
	e := newEnv(t, func(c *Config) {
		c.Mail = &MailConfig{Addr: addr, From: "desk@example.org", To: map[string]string{"changzheng": "cz@example.org"}}
	})
	id := e.mustSubmission("changzheng", "长征镇", "社区食堂开张", "居民排起长队。", "submitted")
	c, csrf := e.login("editor")
	resp, body := e.form(c, "/desk/submissions/"+id+"/return", url.Values{"csrf": {csrf}, "note": {"请补充食堂的地址"}})
	if resp.StatusCode != 303 {
		t.Fatalf("return: %d %s", resp.StatusCode, body)
	}
	select {
	case m := <-msgs:
		if !strings.Contains(m, "cz@example.org") {
			t.Errorf("sent to: %s", m)
		}
		_, b64, _ := strings.Cut(m, "\r\n\r\n")
		text, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(b64, "\r\n", ""))
		if err != nil || !strings.Contains(string(text), "请补充食堂的地址") || !strings.Contains(string(text), "稿件被退回") {
			t.Errorf("mail body %q, %v", text, err)
		}
	case <-time.After(time.Minute): // a guard against a hang, not a wait
		t.Fatal("no mail within a minute")
	}
}
