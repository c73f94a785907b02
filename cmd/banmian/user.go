package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
	"golang.org/x/text/width"

	"github.com/banmian/banmian/internal/store"
)

// runUser manages the editorial desk's accounts: banmian user add|passwd|list.
func runUser(ctx context.Context, env *Env, args []string) error {
	const usage = "add|passwd|set|disable|enable|list [flags] [NAME]"
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		fmt.Fprintf(env.Stderr, "Usage: banmian user %s\n\n"+
			"  add -role submitter|editor|admin [-office 长征镇] [-password-stdin] NAME\n"+
			"                  create a user (submitters need the office they write for)\n"+
			"  passwd [-password-stdin] NAME\n"+
			"                  reset the password and log the user out everywhere\n"+
			"  set [-role ROLE] [-office OFFICE] NAME\n"+
			"                  change a user's role or office\n"+
			"  disable NAME    stop the user's logins, sessions and API tokens at once\n"+
			"  enable NAME     let a disabled user in again (users are never deleted)\n"+
			"  list            list users\n\n"+
			"Every subcommand takes -data DIR (default data). While banmian serve runs on\n"+
			"that folder they go through its admin socket (DIR/admin.sock) and take\n"+
			"effect at once; otherwise they open the data file. Without -password-stdin\n"+
			"the password is asked for on the terminal.\n", usage)
		if len(args) == 0 {
			return &exitError{code: 2}
		}
		return flag.ErrHelp
	}
	switch args[0] {
	case "add":
		return userAdd(env, args[1:])
	case "passwd":
		return userPasswd(env, args[1:])
	case "set":
		return userSet(env, args[1:])
	case "disable":
		return userSetDisabled(env, args[1:], true)
	case "enable":
		return userSetDisabled(env, args[1:], false)
	case "list":
		return userList(env, args[1:])
	}
	return usageError("unknown subcommand %q (want add, passwd, set, disable, enable or list)", args[0])
}

func userAdd(env *Env, args []string) error {
	fs := newFlagSet(env, "user add", "-role submitter|editor|admin [-office OFFICE] [-password-stdin] NAME")
	data := fs.String("data", "data", "data `DIR` (the editorial store)")
	role := fs.String("role", "", "`ROLE`: submitter, editor or admin (required)")
	office := fs.String("office", "", "`OFFICE` a submitter writes for, e.g. 长征镇 (printed as the story's credit)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin")
	name, err := userOneArg(fs, args, "NAME")
	if err != nil {
		return err
	}
	if *role == "" {
		return usageError("-role is required (submitter, editor or admin)")
	}
	if r := store.Role(*role); !r.Valid() {
		return usageError("unknown role %q (want submitter, editor or admin)", *role)
	}
	if store.Role(*role) == store.RoleSubmitter && strings.TrimSpace(*office) == "" {
		return usageError("a submitter needs -office, e.g. -office 长征镇")
	}
	if err := store.ValidateName(name); err != nil {
		return err
	}
	pw, err := userReadPassword(env, name, *pwStdin)
	if err != nil {
		return err
	}
	return withAccounts(*data, func(s accounts) error {
		u, err := s.AddUser(store.User{Name: name, Role: store.Role(*role), Office: *office}, pw)
		if err != nil {
			return fmt.Errorf("add user: %w", err)
		}
		desc := u.Role.Label()
		if u.Office != "" {
			desc += "，" + u.Office
		}
		fmt.Fprintf(env.Stdout, "created user %s (%s)\n", u.Name, desc)
		return nil
	})
}

func userPasswd(env *Env, args []string) error {
	fs := newFlagSet(env, "user passwd", "[-password-stdin] NAME")
	data := fs.String("data", "data", "data `DIR` (the editorial store)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin")
	name, err := userOneArg(fs, args, "NAME")
	if err != nil {
		return err
	}
	return withAccounts(*data, func(s accounts) error {
		if err := userExists(s, name); err != nil {
			return err
		}
		pw, err := userReadPassword(env, name, *pwStdin)
		if err != nil {
			return err
		}
		if _, err := s.ChangeUser(name, store.UserChange{Password: &pw}); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		fmt.Fprintf(env.Stdout, "password of %s changed; their sessions are ended\n", name)
		return nil
	})
}

func userList(env *Env, args []string) error {
	fs := newFlagSet(env, "user list", "")
	data := fs.String("data", "data", "data `DIR` (the editorial store)")
	if err := userParseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	return withAccounts(*data, func(s accounts) error {
		users, err := s.Users()
		if err != nil {
			return err
		}
		if len(users) == 0 {
			fmt.Fprintf(env.Stderr, "no users yet; create the first admin with:\n  banmian user add -data %s -role admin NAME\n", *data)
			return nil
		}
		rows := [][]string{{"NAME", "ROLE", "OFFICE", "CREATED", "STATUS"}}
		for _, u := range users {
			status := ""
			if u.Disabled {
				status = "disabled"
			}
			rows = append(rows, []string{u.Name, string(u.Role), u.Office, u.Created.Format("2006-01-02 15:04"), status})
		}
		userWriteTable(env.Stdout, rows)
		return nil
	})
}

// runToken manages API tokens: banmian token create|list|revoke.
func runToken(ctx context.Context, env *Env, args []string) error {
	const usage = "create|list|revoke [flags] ARG"
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		fmt.Fprintf(env.Stderr, "Usage: banmian token %s\n\n"+
			"  create [-label TEXT] NAME   create an API token for user NAME; it is printed once\n"+
			"  list [NAME]                 list tokens (of NAME only, if given)\n"+
			"  revoke ID                   revoke the token with ID (see list)\n\n"+
			"Every subcommand takes -data DIR (default data). Clients send the token as\n"+
			"\"Authorization: Bearer TOKEN\".\n", usage)
		if len(args) == 0 {
			return &exitError{code: 2}
		}
		return flag.ErrHelp
	}
	switch args[0] {
	case "create":
		return tokenCreate(env, args[1:])
	case "list":
		return tokenList(env, args[1:])
	case "revoke":
		return tokenRevoke(env, args[1:])
	}
	return usageError("unknown subcommand %q (want create, list or revoke)", args[0])
}

func tokenCreate(env *Env, args []string) error {
	fs := newFlagSet(env, "token create", "[-label TEXT] NAME")
	data := fs.String("data", "data", "data `DIR` (the editorial store)")
	label := fs.String("label", "", "what the token is for, e.g. 投稿脚本")
	name, err := userOneArg(fs, args, "NAME")
	if err != nil {
		return err
	}
	s, err := openAccounts(*data)
	if err != nil {
		return err
	}
	defer s.Close()
	secret, tok, err := s.CreateToken(name, *label)
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	if err := s.Close(); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, secret)
	fmt.Fprintf(env.Stderr, "token %s for %s: shown this once only; keep it secret (send it as \"Authorization: Bearer TOKEN\")\n", tok.ID, name)
	return nil
}

func tokenList(env *Env, args []string) error {
	fs := newFlagSet(env, "token list", "[NAME]")
	data := fs.String("data", "data", "data `DIR` (the editorial store)")
	if err := userParseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageError("want at most one user NAME, got %d arguments", fs.NArg())
	}
	return withAccounts(*data, func(s accounts) error {
		toks, err := s.Tokens(fs.Arg(0))
		if err != nil {
			return err
		}
		rows := [][]string{{"ID", "USER", "LABEL", "CREATED"}}
		for _, t := range toks {
			rows = append(rows, []string{t.ID, t.User, t.Label, t.Created.Format("2006-01-02 15:04")})
		}
		userWriteTable(env.Stdout, rows)
		return nil
	})
}

func tokenRevoke(env *Env, args []string) error {
	fs := newFlagSet(env, "token revoke", "ID")
	data := fs.String("data", "data", "data `DIR` (the editorial store)")
	id, err := userOneArg(fs, args, "ID")
	if err != nil {
		return err
	}
	return withAccounts(*data, func(s accounts) error {
		if err := s.RevokeToken(id); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "token %s revoked\n", id)
		return nil
	})
}

// userExists checks that name is a user, before asking for a password.
func userExists(s accounts, name string) error {
	users, err := s.Users()
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.Name == name {
			return nil
		}
	}
	return fmt.Errorf("user %q: %w", name, store.ErrNotFound)
}

func userSet(env *Env, args []string) error {
	fs := newFlagSet(env, "user set", "[-role ROLE] [-office OFFICE] NAME")
	data := fs.String("data", "data", "data `DIR` (the editorial store)")
	role := fs.String("role", "", "new `ROLE`: submitter, editor or admin")
	office := fs.String("office", "", "new `OFFICE` (\"-\" for none)")
	name, err := userOneArg(fs, args, "NAME")
	if err != nil {
		return err
	}
	var ch store.UserChange
	if *role != "" {
		r := store.Role(*role)
		if !r.Valid() {
			return usageError("unknown role %q (want submitter, editor or admin)", *role)
		}
		ch.Role = &r
	}
	if *office != "" {
		o := *office
		if o == "-" {
			o = ""
		}
		ch.Office = &o
	}
	if ch.Role == nil && ch.Office == nil {
		return usageError("nothing to change: give -role or -office")
	}
	return withAccounts(*data, func(s accounts) error {
		u, err := s.ChangeUser(name, ch)
		if err != nil {
			return fmt.Errorf("change user: %w", err)
		}
		fmt.Fprintf(env.Stdout, "%s is now %s%s\n", u.Name, u.Role, map[bool]string{true: " of " + u.Office, false: ""}[u.Office != ""])
		return nil
	})
}

func userSetDisabled(env *Env, args []string, disabled bool) error {
	verb := map[bool]string{true: "disable", false: "enable"}[disabled]
	fs := newFlagSet(env, "user "+verb, "NAME")
	data := fs.String("data", "data", "data `DIR` (the editorial store)")
	name, err := userOneArg(fs, args, "NAME")
	if err != nil {
		return err
	}
	return withAccounts(*data, func(s accounts) error {
		if _, err := s.ChangeUser(name, store.UserChange{Disabled: &disabled}); err != nil {
			return fmt.Errorf("%s user: %w", verb, err)
		}
		if disabled {
			fmt.Fprintf(env.Stdout, "%s is disabled: their sessions and API tokens stop now\n", name)
		} else {
			fmt.Fprintf(env.Stdout, "%s is enabled again\n", name)
		}
		return nil
	})
}

// userParseFlags parses flags that may come before or after the positional
// arguments ("user add 张三 -role editor" works like "user add -role editor
// 张三"); a lone "--" ends the flags.
func userParseFlags(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	// Re-parse to leave only the positional arguments in fs.Args().
	return fs.Parse(append([]string{"--"}, pos...))
}

// userOneArg parses flags and returns the single positional argument.
func userOneArg(fs *flag.FlagSet, args []string, what string) (string, error) {
	if err := userParseFlags(fs, args); err != nil {
		return "", err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return "", usageError("want exactly one %s, got %d arguments", what, fs.NArg())
	}
	return fs.Arg(0), nil
}

// userReadPassword reads a password from the first line of stdin, or asks
// twice on the terminal.
func userReadPassword(env *Env, name string, fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(io.LimitReader(env.Stdin, 4096)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password from stdin: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return "", errors.New("no password on stdin")
		}
		return line, nil
	}
	f, ok := env.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", usageError("stdin is not a terminal: pipe the password in with -password-stdin")
	}
	ask := func(prompt string) (string, error) {
		fmt.Fprint(env.Stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(b), nil
	}
	pw, err := ask(fmt.Sprintf("密码 (password, at least %d characters): ", store.MinPasswordChars))
	if err != nil {
		return "", err
	}
	if err := store.ValidatePassword(name, pw); err != nil {
		return "", err
	}
	again, err := ask("再输一次 (again): ")
	if err != nil {
		return "", err
	}
	if again != pw {
		return "", errors.New("the two passwords differ")
	}
	return pw, nil
}

// userWriteTable writes rows in aligned columns, counting Chinese characters
// as two columns wide as terminals show them.
func userWriteTable(w io.Writer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], userTextWidth(c))
		}
	}
	for _, r := range rows {
		var sb strings.Builder
		for i, c := range r {
			sb.WriteString(c)
			if i < len(r)-1 {
				sb.WriteString(strings.Repeat(" ", widths[i]-userTextWidth(c)+2))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(sb.String(), " "))
	}
}

func userTextWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// withAccounts runs fn on the accounts of data folder dir (through a
// running server or the store itself) and closes them, returning the first
// error.
func withAccounts(dir string, fn func(s accounts) error) error {
	s, err := openAccounts(dir)
	if err != nil {
		return err
	}
	if err := fn(s); err != nil {
		s.Close()
		return err
	}
	return s.Close()
}
