package server

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/banmian/banmian/internal/browsertest"
	"github.com/banmian/banmian/internal/store"
	"github.com/banmian/banmian/internal/store/storetest"
)

// TestBrowserAdmin: in headless Chromium an admin adds an office to the
// list, adds a submitter picking it, creates an API token (shown once)
// and revokes it, and disables a signed-in user, whose next page sends
// them to the login form, which then refuses them.
func TestBrowserAdmin(t *testing.T) {
	t.Parallel()
	browsertest.Long(t)
	e := newEnv(t)
	b := browsertest.Start(t, 3*time.Minute)

	office := newTab(t, b, e.base)
	office.login("changzheng")
	office.Open("/desk/submissions")
	office.WaitJS("the office's list", `document.querySelector("form.logout")`)

	admin := newTab(t, b, e.base)
	admin.login("admin")

	// The office list: an editor's (here the admin's) page.
	admin.Open("/desk/offices")
	admin.Do("adding an office",
		chromedp.SetValue(chromedp.CSS(`#add-office input[name="office"]`), "真如镇"),
		chromedp.Click(chromedp.CSS(`#add-office button`)),
	)
	admin.WaitJS("the office listed", `[...document.querySelectorAll("ul.offices li span")].some(s => s.textContent === "真如镇")`)

	// A new submitter picks it from the list.
	admin.Open("/desk/users")
	admin.Do("adding a user",
		chromedp.SetValue(chromedp.CSS(`#add-user input[name="name"]`), "zhenru"),
		chromedp.SetValue(chromedp.CSS(`#add-user select[name="role"]`), "submitter"),
		chromedp.SetValue(chromedp.CSS(`#add-user select[name="office"]`), "真如镇"),
		chromedp.SetValue(chromedp.CSS(`#add-user input[name="password"]`), "真如镇投稿的密码真长"),
		chromedp.Click(chromedp.CSS(`#add-user button`)),
	)
	admin.WaitJS("the user added", `document.querySelector("#user-zhenru")`)
	if u, err := e.st.User("zhenru"); err != nil || u.Office != "真如镇" || u.Role != store.RoleSubmitter {
		t.Fatalf("stored user: %+v, %v", u, err)
	}

	// An API token, shown once, then revoked.
	admin.Do("creating a token",
		chromedp.SetValue(chromedp.CSS(`#add-token select[name="user"]`), "zhenru"),
		chromedp.SetValue(chromedp.CSS(`#add-token input[name="label"]`), "投稿脚本"),
		chromedp.Click(chromedp.CSS(`#add-token button`)),
	)
	admin.WaitJS("the new token shown", `document.querySelector("#new-token")`)
	secret := admin.Value(`document.querySelector("#new-token").textContent`)
	e.tokens["zhenru"] = secret
	if resp, _ := e.api("zhenru", "GET", "/api/submissions", "", ""); !strings.HasPrefix(secret, "bm_") || resp.StatusCode != 200 {
		t.Fatalf("the token %q: %d", secret, resp.StatusCode)
	}
	admin.Open("/desk/users")
	if got := admin.Value(`document.body.innerText`); strings.Contains(got, secret) {
		t.Error("the token's secret is shown again")
	}
	toks, _ := e.st.Tokens("zhenru")
	if len(toks) != 1 {
		t.Fatalf("tokens: %+v", toks)
	}
	admin.Do("revoking the token", chromedp.Click(chromedp.CSS(`#token-`+toks[0].ID+` button`)))
	admin.WaitJS("the token gone", `document.querySelector("p.flash") && !document.querySelector("#token-`+toks[0].ID+`")`)
	if resp, _ := e.api("zhenru", "GET", "/api/submissions", "", ""); resp.StatusCode != 401 {
		t.Errorf("the revoked token: %d", resp.StatusCode)
	}

	// Disabling a signed-in user.
	admin.Do("disabling changzheng", chromedp.Click(chromedp.CSS(`#user-changzheng button.disable`)))
	admin.WaitJS("shown as disabled", `document.querySelector("#user-changzheng.disabled") && document.querySelector("#user-changzheng button.enable")`)
	if u, _ := e.st.User("changzheng"); !u.Disabled {
		t.Fatal("not disabled in the store")
	}
	office.Open("/desk/submissions")
	office.WaitJS("sent to the login page", `document.querySelector("form.login") && !document.querySelector("form.logout")`)
	office.Do("logging in again",
		chromedp.SendKeys(chromedp.CSS(`form.login input[name="name"]`), "changzheng"),
		chromedp.SendKeys(chromedp.CSS(`form.login input[name="password"]`), storetest.Password),
		chromedp.Click(chromedp.CSS(`form.login button`)),
	)
	office.WaitJS("refused as disabled", `document.querySelector("p.error") && document.querySelector("p.error").textContent.includes("停用")`)

	// Enabled again, they log in.
	admin.Do("enabling changzheng", chromedp.Click(chromedp.CSS(`#user-changzheng button.enable`)))
	admin.WaitJS("shown as enabled", `document.querySelector("#user-changzheng button.disable")`)
	office.login("changzheng")
}

// TestBrowserOwnPassword: a user changes their own password in the
// browser; a weak one is refused in Chinese with the reason.
func TestBrowserOwnPassword(t *testing.T) {
	t.Parallel()
	browsertest.Long(t)
	e := newEnv(t)
	b := browsertest.Start(t, 2*time.Minute)
	tab := newTab(t, b, e.base)
	tab.login("hongqiao")
	tab.Do("opening the account page", chromedp.Click(chromedp.ID("account-link")))
	tab.WaitJS("the account page", `document.querySelector("#own-password")`)
	// Values are set, not typed: typing is not under test here, and it
	// is slow on a loaded machine.
	change := func(pw string) {
		tab.Do("changing the password",
			chromedp.SetValue(chromedp.CSS(`#own-password input[name="current"]`), storetest.Password),
			chromedp.SetValue(chromedp.CSS(`#own-password input[name="password"]`), pw),
			chromedp.SetValue(chromedp.CSS(`#own-password input[name="password2"]`), pw),
			chromedp.Click(chromedp.CSS(`#own-password button`)),
		)
	}
	change("qwertyuiop")
	tab.WaitJS("the weak password refused", `document.querySelector("p.error") && document.querySelector("p.error").textContent.includes("常见密码")`)
	change("虹桥镇的新密码很长的")
	tab.WaitJS("changed", `document.querySelector("p.flash") && document.querySelector("p.flash").textContent === "密码已修改"`)
	if _, err := e.st.Authenticate("hongqiao", "虹桥镇的新密码很长的"); err != nil {
		t.Errorf("the new password: %v", err)
	}
}
