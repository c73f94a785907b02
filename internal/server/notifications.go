package server

import (
	"net/http"

	"github.com/banmian/banmian/internal/store"
)

// notificationsPage is the desk inbox.
func (s *Server) notificationsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	list, _, err := s.st.Notifications(c.user.Name, 200)
	if err != nil {
		return err
	}
	return s.render(w, r, c, "notifications", "通知", list)
}

// notificationsAPI answers GET /api/notifications.
func (s *Server) notificationsAPI(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	list, unread, err := s.st.Notifications(c.user.Name, 200)
	if err != nil {
		return err
	}
	s.json(w, http.StatusOK, map[string]any{"notifications": list, "unread": unread})
	return nil
}

// notificationRead marks one notification (or "all") read. From the desk
// inbox, a form post, it goes on to the story (or back to the inbox).
func (s *Server) notificationRead(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := s.st.MarkNotificationRead(c.user.Name, r.PathValue("id")); err != nil {
		return err
	}
	if wantsJSON(r) {
		s.json(w, http.StatusOK, map[string]any{"read": r.PathValue("id")})
		return nil
	}
	if to := r.PostFormValue("to"); to != "" {
		return redirect(w, r, safeNext(to))
	}
	return redirect(w, r, "/desk/notifications")
}

// unreadCount is the badge in the desk header.
func (s *Server) unreadCount(u store.User) int {
	_, n, err := s.st.Notifications(u.Name, 1)
	if err != nil {
		s.log.Error("counting notifications", "user", u.Name, "err", err)
		return 0
	}
	return n
}
