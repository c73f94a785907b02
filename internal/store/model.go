package store

import (
	"strings"
	"time"

	"github.com/banmian/banmian/internal/content"
)

// Role is what a user may do; the server enforces it, the store records it.
type Role string

const (
	// RoleSubmitter belongs to one office (e.g. 长征镇) and sees and changes
	// only that office's submissions.
	RoleSubmitter Role = "submitter"
	// RoleEditor is the section editor: reviews submissions, builds and
	// publishes editions.
	RoleEditor Role = "editor"
	// RoleAdmin can do what an editor does and manage users.
	RoleAdmin Role = "admin"
)

// Roles lists the roles, least privileged first.
var Roles = []Role{RoleSubmitter, RoleEditor, RoleAdmin}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	return r == RoleSubmitter || r == RoleEditor || r == RoleAdmin
}

// Label is the role's name in the user interface.
func (r Role) Label() string {
	switch r {
	case RoleSubmitter:
		return "供稿人"
	case RoleEditor:
		return "编辑"
	case RoleAdmin:
		return "管理员"
	}
	return string(r)
}

// User is an account. The password hash never leaves the store: it is not
// part of this type.
type User struct {
	Name    string    `json:"name"`
	Role    Role      `json:"role"`
	Office  string    `json:"office,omitempty"` // 供稿单位; required for submitters, printed as the story's credit
	Created time.Time `json:"created"`
	// Disabled accounts cannot log in; their sessions and API tokens are
	// refused. Users are never deleted, so history stays attributable.
	Disabled bool `json:"disabled,omitempty"`
}

// Token is an API token's metadata. The secret itself is shown once by
// CreateToken; the store keeps only its SHA-256.
type Token struct {
	ID      string    `json:"id"` // first 12 hex digits of the secret's SHA-256; names the token for RevokeToken
	User    string    `json:"user"`
	Label   string    `json:"label,omitempty"`
	Created time.Time `json:"created"`
}

// Session is a server-side login session. The store keeps only the
// SHA-256 of ID, so a copy of the data file cannot be used to log in.
type Session struct {
	ID      string    `json:"-"`    // 32 random bytes, base64url; the cookie value
	User    string    `json:"user"` // user name
	CSRF    string    `json:"csrf"` // 32 random bytes, base64url; must accompany every state-changing form
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
}

// Status is where a submission is in the editorial workflow.
type Status string

const (
	StatusDraft       Status = "draft"       // being written by the office
	StatusSubmitted   Status = "submitted"   // sent to the editor
	StatusReturned    Status = "returned"    // sent back to the office with a note
	StatusResubmitted Status = "resubmitted" // sent again after a return
	StatusAccepted    Status = "accepted"    // will run; not yet on an edition
	StatusScheduled   Status = "scheduled"   // placed on an edition (Submission.Edition)
	StatusPublished   Status = "published"   // ran on a published edition
	StatusRejected    Status = "rejected"    // will not run (Store.Reopen makes it a draft again)
	StatusWithdrawn   Status = "withdrawn"   // taken back by the office (Store.Reopen makes it a draft again)
)

// Statuses lists every status in workflow order.
var Statuses = []Status{
	StatusDraft, StatusSubmitted, StatusReturned, StatusResubmitted,
	StatusAccepted, StatusScheduled, StatusPublished, StatusRejected, StatusWithdrawn,
}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool {
	_, ok := transitions[s]
	return ok
}

// Label is the status in the user interface.
func (s Status) Label() string {
	switch s {
	case StatusDraft:
		return "草稿"
	case StatusSubmitted:
		return "待审"
	case StatusReturned:
		return "已退回"
	case StatusResubmitted:
		return "重新投稿"
	case StatusAccepted:
		return "已采用"
	case StatusScheduled:
		return "已排版"
	case StatusPublished:
		return "已见报"
	case StatusRejected:
		return "未采用"
	case StatusWithdrawn:
		return "已撤回"
	}
	return string(s)
}

// Editable reports whether a submission in status s accepts changes to its
// text, photos and slug (published ones do, for corrections).
func (s Status) Editable() bool { return s != StatusRejected && s != StatusWithdrawn }

// Photo is a picture attached to a submission. Its bytes live in the store
// (see PutPhoto and PhotoData).
type Photo struct {
	Name    string `json:"name"` // file name, unique within the submission, e.g. "1.jpg"
	Caption string `json:"caption,omitempty"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	Type    string `json:"type"` // media type, e.g. "image/jpeg"
	Size    int64  `json:"size"` // bytes
}

// Submission is a story sent in by an office.
type Submission struct {
	ID       string    `json:"id"` // sortable by creation time: 12 hex digits of Unix ms + 8 random hex digits
	Office   string    `json:"office"`
	Author   string    `json:"author"` // user name of the creator
	Status   Status    `json:"status"`
	Kicker   string    `json:"kicker,omitempty"`   // 引题
	Title    string    `json:"title"`              // 主题
	Subtitle string    `json:"subtitle,omitempty"` // 副题
	Body     string    `json:"body"`               // Markdown
	Tags     []string  `json:"tags,omitempty"`
	Photos   []Photo   `json:"photos,omitempty"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
	Slug     string    `json:"slug,omitempty"`    // set by the editor (or server) before publishing; unique
	Edition  string    `json:"edition,omitempty"` // YYYY-MM-DD of the edition it is placed on
	// Rev is the number of the latest revision. Callers that edit a copy
	// pass it back to SaveSubmission, which fails with ErrConflict if
	// someone saved in between.
	Rev int `json:"rev"`
}

// Revision is the text of a submission as saved at one time. Revision 1 is
// the text it was created with; every save that changes the text adds one.
type Revision struct {
	N        int       `json:"n"`
	Author   string    `json:"author"` // who saved it
	Created  time.Time `json:"created"`
	Kicker   string    `json:"kicker,omitempty"`
	Title    string    `json:"title"`
	Subtitle string    `json:"subtitle,omitempty"`
	Body     string    `json:"body"`
	Tags     []string  `json:"tags,omitempty"`
}

// Text is the revision as one text for a character diff: kicker, title,
// subtitle, tags and body, one per line, empty ones left out.
func (r Revision) Text() string {
	var parts []string
	for _, s := range []string{r.Kicker, r.Title, r.Subtitle, strings.Join(r.Tags, "、"), r.Body} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

// Action moves a submission from one status to another.
type Action string

const (
	ActionCreate     Action = "create" // recorded when a submission is created; not a transition
	ActionSubmit     Action = "submit"
	ActionReturn     Action = "return"
	ActionAccept     Action = "accept"
	ActionReject     Action = "reject"
	ActionWithdraw   Action = "withdraw"
	ActionReopen     Action = "reopen"     // a withdrawn or rejected story back to a draft; see Store.Reopen
	ActionSchedule   Action = "schedule"   // done by PutEdition
	ActionUnschedule Action = "unschedule" // done by PutEdition and DeleteEdition
	ActionPublish    Action = "publish"    // done by PublishEdition
)

// Label is the action in the user interface.
func (a Action) Label() string {
	switch a {
	case ActionCreate:
		return "创建"
	case ActionSubmit:
		return "投稿"
	case ActionReturn:
		return "退回"
	case ActionAccept:
		return "采用"
	case ActionReject:
		return "不采用"
	case ActionWithdraw:
		return "撤回"
	case ActionReopen:
		return "恢复为草稿"
	case ActionSchedule:
		return "排入版面"
	case ActionUnschedule:
		return "撤下版面"
	case ActionPublish:
		return "见报"
	}
	return string(a)
}

// transitions is the workflow: status → action → next status. Every status
// has an entry, so it doubles as the set of valid statuses.
var transitions = map[Status]map[Action]Status{
	StatusDraft: {
		ActionSubmit:   StatusSubmitted,
		ActionWithdraw: StatusWithdrawn,
	},
	StatusSubmitted: {
		ActionReturn:   StatusReturned,
		ActionAccept:   StatusAccepted,
		ActionReject:   StatusRejected,
		ActionWithdraw: StatusWithdrawn,
	},
	StatusReturned: {
		ActionSubmit:   StatusResubmitted,
		ActionReject:   StatusRejected,
		ActionWithdraw: StatusWithdrawn,
	},
	StatusResubmitted: {
		ActionReturn:   StatusReturned,
		ActionAccept:   StatusAccepted,
		ActionReject:   StatusRejected,
		ActionWithdraw: StatusWithdrawn,
	},
	StatusAccepted: {
		ActionSchedule: StatusScheduled,
		ActionWithdraw: StatusWithdrawn,
		// Until it is placed and published the editor may change their mind.
		ActionReturn: StatusReturned,
		ActionReject: StatusRejected,
	},
	StatusScheduled: {
		ActionUnschedule: StatusAccepted,
		ActionPublish:    StatusPublished,
	},
	StatusPublished: {},
	StatusRejected:  {ActionReopen: StatusDraft},
	StatusWithdrawn: {ActionReopen: StatusDraft},
}

// editionActions are done by the edition methods, never by Transition,
// because they change an edition in the same transaction.
var editionActions = map[Action]bool{ActionSchedule: true, ActionUnschedule: true, ActionPublish: true}

// Next returns the status action leads to from status from, and whether the
// move is allowed at all.
func Next(from Status, action Action) (Status, bool) {
	to, ok := transitions[from][action]
	return to, ok
}

// Actions returns the actions Transition accepts from status from, in a
// fixed order (for buttons). Edition actions (schedule, unschedule,
// publish) are left out.
func Actions(from Status) []Action {
	var out []Action
	for _, a := range []Action{ActionSubmit, ActionReturn, ActionAccept, ActionReject, ActionWithdraw, ActionReopen} {
		if _, ok := transitions[from][a]; ok {
			out = append(out, a)
		}
	}
	return out
}

// Event records one step of a submission's history.
type Event struct {
	N      int       `json:"n"` // 1, 2, … in order
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action Action    `json:"action"`
	From   Status    `json:"from,omitempty"` // empty for ActionCreate
	To     Status    `json:"to"`
	Note   string    `json:"note,omitempty"`
}

// Note is one message in a submission's thread between office and editor.
type Note struct {
	N       int       `json:"n"`
	Author  string    `json:"author"`
	Created time.Time `json:"created"`
	Text    string    `json:"text"`
}

// SubmissionFilter selects submissions for Submissions and
// SubmissionPage. Zero fields match everything.
type SubmissionFilter struct {
	Statuses []Status // any of these
	Office   string
	Author   string
	// Before is an ID: only older submissions are listed (for paging: pass
	// the last ID of the previous page).
	Before string
	Offset int // skip this many first
	Limit  int // at most this many; 0 means no limit
}

// MonthlyCount is how many submissions an office created in a month.
type MonthlyCount struct {
	Office string `json:"office"`
	Month  string `json:"month"` // YYYY-MM, in Options.Location
	Count  int    `json:"count"`
}

// EditionStatus is where an edition is on its way to the reader site.
type EditionStatus string

const (
	EditionDraft     EditionStatus = "draft"     // being built
	EditionScheduled EditionStatus = "scheduled" // will be published at PublishAt
	EditionPublished EditionStatus = "published" // on the reader site; no longer editable
)

// Label is the edition status in the user interface.
func (s EditionStatus) Label() string {
	switch s {
	case EditionDraft:
		return "编辑中"
	case EditionScheduled:
		return "定时发布"
	case EditionPublished:
		return "已发布"
	}
	return string(s)
}

// Edition is a dated page being built by the editor. Publishing writes it
// to content/editions/DATE.yaml (content.Edition) with its stories and boxes.
type Edition struct {
	Date     string           `json:"date"` // YYYY-MM-DD; the key
	Page     int              `json:"page"` // 版次
	Title    string           `json:"title,omitempty"`
	Note     string           `json:"note,omitempty"`
	Masthead content.Masthead `json:"masthead"`
	Items    []EditionItem    `json:"items"`
	Status   EditionStatus    `json:"status"`
	// Rev counts the saves of the edition (PutEdition); a publish names
	// the revision it built.
	Rev int `json:"rev"`
	// PublishAt is when a scheduled edition is due (zero otherwise).
	PublishAt   time.Time `json:"publishAt,omitzero"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
	UpdatedBy   string    `json:"updatedBy,omitempty"`
	Published   time.Time `json:"published,omitzero"`
	PublishedBy string    `json:"publishedBy,omitempty"`
}

// EditionItem is one story or box on an edition, in page order: exactly one
// of Submission and Box is set.
type EditionItem struct {
	Submission string       `json:"submission,omitempty"` // submission ID
	Box        *content.Box `json:"box,omitempty"`        // an inline box (荣誉榜), ID required
	Lead       bool         `json:"lead,omitempty"`       // 头条; at most one per edition
	// Module is the editor's module size on the print page (nil: automatic).
	Module *content.ItemModule `json:"module,omitempty"`
}
