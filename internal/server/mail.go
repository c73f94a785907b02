package server

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"strings"
	"time"

	"github.com/banmian/banmian/internal/store"
)

// MailConfig names the SMTP server the desk's notifications are also sent
// through (optional; without it the in-app inbox is the only channel).
type MailConfig struct {
	// Addr is the SMTP server, host:port. The server speaks plain SMTP
	// (STARTTLS when offered); AUTH is used when Username is set.
	Addr     string
	Username string
	Password string
	// From is the sender address.
	From string
	// To maps user names to their mail addresses; users not listed get
	// the in-app inbox only.
	To map[string]string
	// Timeout bounds one delivery (default 20 s).
	Timeout time.Duration
}

// mailNotifications sends each notification to its user's address, in the
// background; Close waits for deliveries under way.
func (s *Server) mailNotifications(list []store.Notification) {
	m := s.cfg.Mail
	for _, n := range list {
		to := m.To[n.User]
		if to == "" {
			continue
		}
		msg := s.mailMessage(n, to)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := sendMail(m, to, msg); err != nil {
				s.log.Error("mailing a notification", "user", n.User, "kind", n.Kind, "err", err)
			}
		}()
	}
}

// mailMessage is the notification as a UTF-8 mail.
func (s *Server) mailMessage(n store.Notification, to string) []byte {
	title := n.Title
	if title == "" {
		title = "（无标题）"
	}
	subject := n.Kind.Label() + "：《" + title + "》"
	var body strings.Builder
	fmt.Fprintf(&body, "%s\n\n稿件：《%s》\n", subject, title)
	if n.Note != "" {
		fmt.Fprintf(&body, "说明：%s\n", n.Note)
	}
	if n.Actor != "" {
		fmt.Fprintf(&body, "操作人：%s\n", n.Actor)
	}
	fmt.Fprintf(&body, "时间：%s\n\n请登录编辑部查看：/desk/submissions/%s\n", n.At.In(cst).Format("2006-01-02 15:04"), n.Submission)
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\nDate: %s\r\n\r\n",
		s.cfg.Mail.From, to, mime.BEncoding.Encode("utf-8", subject), n.At.Format(time.RFC1123Z))
	enc := base64.StdEncoding.EncodeToString([]byte(body.String()))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}

// sendMail delivers msg with a deadline on the whole conversation.
func sendMail(m *MailConfig, to string, msg []byte) error {
	timeout := m.Timeout
	if timeout == 0 {
		timeout = 20 * time.Second
	}
	conn, err := net.DialTimeout("tcp", m.Addr, timeout)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	host, _, _ := net.SplitHostPort(m.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return err
		}
	}
	if m.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, host)); err != nil {
			return err
		}
	}
	if err := c.Mail(m.From); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}
