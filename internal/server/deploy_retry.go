package server

import (
	"net/http"
	"time"

	"github.com/banmian/banmian/internal/deploy"
)

// Deployer puts the reader site on its deploy target in the background.
// *deploy.Auto satisfies it. Trigger never blocks and never fails: a
// failed deploy shows in Status and never undoes or holds up a publish.
type Deployer interface {
	Trigger()
	Status() deploy.Status
}

// deployAfterPublish starts a deploy of the site just published.
func (s *Server) deployAfterPublish() {
	if s.cfg.Deployer != nil {
		s.cfg.Deployer.Trigger()
	}
}

// deployView is the deploy state as the edition page shows it.
type deployView struct {
	State  string // idle, running, done or failed
	Target string
	At     time.Time
	Reason string // why it failed, in Chinese
}

func (s *Server) deployView() *deployView {
	if s.cfg.Deployer == nil {
		return nil
	}
	st := s.cfg.Deployer.Status()
	v := &deployView{State: "idle", Target: st.Target, At: st.At, Reason: st.Reason}
	switch st.State {
	case deploy.StateRunning:
		v.State = "running"
	case deploy.StateDone:
		v.State = "done"
	case deploy.StateFailed:
		v.State = "failed"
	}
	return v
}

// deployRetry starts a deploy again (the 重试 button).
func (s *Server) deployRetry(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if s.cfg.Deployer == nil {
		return errorf(http.StatusConflict, "没有配置自动部署，请联系管理员在网站设置里开启")
	}
	date := r.PostFormValue("date")
	if err := validDate(date); err != nil {
		return err
	}
	s.cfg.Deployer.Trigger()
	return redirect(w, r, "/desk/editions/"+date+"?msg=deploying")
}
