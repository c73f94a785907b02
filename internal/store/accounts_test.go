package store_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/store"
	"github.com/banmian/banmian/internal/store/storetest"
)

func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, user, pw string
		rule           store.PasswordRule
	}{
		{"eight digits", "张三", "12345678", store.PasswordTooShort},
		{"nine characters", "张三", "长征镇投稿的密码", store.PasswordTooShort},
		{"ten Chinese characters", "张三", "长征镇社区食堂今天开张", 0},
		{"passphrase", "changzheng", "harbour lamp seven", 0},
		{"common, ten digits", "张三", "1234567890", store.PasswordOnlyDigits},
		{"phone number", "张三", "13912345678", store.PasswordOnlyDigits},
		{"common word", "张三", "qwertyuiop", store.PasswordCommon},
		{"common in capitals", "张三", "QWERTYUIOP", store.PasswordCommon},
		{"common pinyin with digits", "张三", "woaini1314", store.PasswordCommon},
		{"common word with year", "张三", "Password2025!", store.PasswordCommon},
		{"common word with digits before", "张三", "2025password", store.PasswordCommon},
		{"repeated piece", "张三", "abcabcabcabc", store.PasswordRepeats},
		{"repeated Chinese", "张三", "哈哈哈哈哈哈哈哈哈哈", store.PasswordRepeats},
		{"own name", "changzheng", "changzheng", store.PasswordHasName},
		{"own name with digits", "changzheng", "Changzheng2025", store.PasswordHasName},
		{"own Chinese name inside", "长征镇办公室", "长征镇办公室的投稿密码", store.PasswordHasName},
		{"over 72 bytes", "张三", strings.Repeat("密", 25), store.PasswordTooLong},
		{"not UTF-8", "张三", "abcdefghij\xff", store.PasswordNotUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := store.ValidatePassword(tt.user, tt.pw)
			if tt.rule == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var pe *store.PasswordError
			if !errors.As(err, &pe) || pe.Rule != tt.rule || !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("err = %v, want rule %d wrapping ErrInvalid", err, tt.rule)
			}
		})
	}
	// The policy holds wherever a password is set.
	s, _ := newStore(t)
	if _, err := s.CreateUser(store.User{Name: "张三", Role: store.RoleEditor}, "12345678"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("CreateUser with 12345678: %v", err)
	}
	storetest.MustCreateUser(t, s, "张三", store.RoleEditor, "")
	if err := s.SetPassword("张三", "password123"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("SetPassword with password123: %v", err)
	}
	if _, err := s.CreateFirstAdmin("admin", "admin12345"); !errors.Is(err, store.ErrInvalid) && !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateFirstAdmin with admin12345: %v", err)
	}
}

func TestChangeUser(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	storetest.MustCreateUser(t, s, "admin", store.RoleAdmin, "")
	storetest.MustCreateUser(t, s, "editor", store.RoleEditor, "")
	storetest.MustCreateUser(t, s, "张三", store.RoleSubmitter, "长征镇")
	yes, no := true, false
	editor, submitter := store.RoleEditor, store.RoleSubmitter
	zhenru, unlisted := "真如镇", "长征真"
	pw := "新的密码：真如镇2025"

	// Only an enabled admin may change accounts, checked with the write.
	for _, by := range []string{"editor", "张三", "无此人"} {
		if _, err := s.ChangeUser(by, "张三", store.UserChange{Disabled: &yes}); !errors.Is(err, store.ErrForbidden) {
			t.Errorf("ChangeUser by %s: %v, want ErrForbidden", by, err)
		}
		if _, _, err := s.CreateTokenAs(by, "张三", ""); !errors.Is(err, store.ErrForbidden) {
			t.Errorf("CreateTokenAs by %s: %v", by, err)
		}
		if _, err := s.CreateUserAs(by, store.User{Name: "李四", Role: store.RoleAdmin}, pw); !errors.Is(err, store.ErrForbidden) {
			t.Errorf("CreateUserAs by %s: %v", by, err)
		}
	}
	if u, _ := s.User("张三"); u.Disabled {
		t.Fatal("a refused change was written")
	}

	// An admin picks offices from the list; an editor adds one.
	if _, err := s.ChangeUser("admin", "张三", store.UserChange{Office: &unlisted}); !errors.Is(err, store.ErrNotListed) {
		t.Errorf("unlisted office: %v", err)
	}
	if err := s.AddOffice("张三", zhenru); !errors.Is(err, store.ErrForbidden) {
		t.Errorf("a submitter adds an office: %v", err)
	}
	if err := s.AddOffice("editor", zhenru); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Offices(); !slices.Equal(got, []string{"真如镇", "长征镇"}) {
		t.Errorf("Offices = %v", got)
	}
	if err := s.RemoveOffice("editor", "长征镇"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("removing an office in use: %v", err)
	}
	u, err := s.ChangeUser("admin", "张三", store.UserChange{Office: &zhenru})
	if err != nil || u.Office != zhenru {
		t.Fatalf("office change: %+v, %v", u, err)
	}

	// Disable, reset the password, change role.
	sess, _ := s.CreateSession("张三", time.Hour)
	if u, err = s.ChangeUser("admin", "张三", store.UserChange{Disabled: &yes}); err != nil || !u.Disabled {
		t.Fatalf("disable: %+v, %v", u, err)
	}
	if _, _, err := s.Session(sess.ID); err == nil {
		t.Error("a disabled user's session still works")
	}
	if _, err := s.Authenticate("张三", storetest.Password); !errors.Is(err, store.ErrDisabled) {
		t.Errorf("a disabled user logs in: %v", err)
	}
	if _, err := s.Authenticate("张三", "wrong-password!"); !errors.Is(err, store.ErrAuth) {
		t.Errorf("a wrong password for a disabled user: %v", err)
	}
	if _, err := s.CreateSession("张三", time.Hour); !errors.Is(err, store.ErrDisabled) {
		t.Errorf("session for a disabled user: %v", err)
	}
	if _, err := s.ChangeUser("admin", "张三", store.UserChange{Disabled: &no, Password: &pw, Role: &editor}); err != nil {
		t.Fatal(err)
	}
	if u, err := s.Authenticate("张三", pw); err != nil || u.Role != store.RoleEditor {
		t.Errorf("after enable, reset and role change: %+v, %v", u, err)
	}
	if _, err := s.ChangeUser("admin", "张三", store.UserChange{Role: &submitter, Office: new(string)}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("submitter without office: %v", err)
	}

	// The last admin stays.
	if _, err := s.ChangeUser("admin", "admin", store.UserChange{Disabled: &yes}); !errors.Is(err, store.ErrLastAdmin) {
		t.Errorf("disabling the last admin: %v", err)
	}
	if _, err := s.ChangeUser("admin", "admin", store.UserChange{Role: &editor}); !errors.Is(err, store.ErrLastAdmin) {
		t.Errorf("demoting the last admin: %v", err)
	}
	// Users are never deleted: the list keeps everyone.
	if users, _ := s.Users(); len(users) != 3 {
		t.Errorf("Users = %+v", users)
	}
}

func TestFirstAdminAndOwnPassword(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	u, err := s.CreateFirstAdmin("郭爽", "多维世界版面的编辑部")
	if err != nil || u.Role != store.RoleAdmin {
		t.Fatalf("CreateFirstAdmin = %+v, %v", u, err)
	}
	if _, err := s.CreateFirstAdmin("黑客", "多维世界版面的编辑部"); !errors.Is(err, store.ErrExists) {
		t.Errorf("a second first admin: %v", err)
	}
	keep, _ := s.CreateSession("郭爽", time.Hour)
	other, _ := s.CreateSession("郭爽", time.Hour)
	if err := s.ChangeOwnPassword("郭爽", "wrong-password!", "新民晚报多维世界专版", keep.ID); !errors.Is(err, store.ErrAuth) {
		t.Errorf("wrong current password: %v", err)
	}
	if err := s.ChangeOwnPassword("郭爽", "多维世界版面的编辑部", "1234567890", keep.ID); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("weak new password: %v", err)
	}
	if err := s.ChangeOwnPassword("郭爽", "多维世界版面的编辑部", "新民晚报多维世界专版", keep.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Session(keep.ID); err != nil {
		t.Errorf("the current session ended: %v", err)
	}
	if _, _, err := s.Session(other.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another session survived: %v", err)
	}
}
