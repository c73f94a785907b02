// Command banmian runs one section page of a district newspaper: it builds
// the reader site from content/, lints and imports copy, indexes and searches
// past stories, serves the editorial desk and prints page proofs.
//
// main only parses arguments, wires packages together and maps errors to exit
// codes; every subcommand lives in its own file as a run function.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/term"
)

// version is set at link time with -ldflags "-X main.version=...".
var version = "dev"

// Env is what a subcommand may touch of the outside world, so tests can run
// commands in-process with buffers.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Terminal reports whether Stderr is an interactive terminal (progress
	// bars are drawn only then).
	Terminal bool
}

// command is one subcommand of banmian.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// commands is the table of subcommands, in the order help lists them.
var commands = []command{
	{"build", "构建读者网站 (build the static reader site)", runBuild},
	{"lint", "检查并修正版式 (house-style lint and fix)", runLint},
	{"preview", "构建并预览读者网站 (build and serve the reader site locally)", runPreview},
	{"proof", "打印校样 (print proof: HTML preview or PDF)", runProof},
	{"user", "管理编辑部账号 (add, passwd, list users)", runUser},
	{"token", "管理接口令牌 (create, list, revoke API tokens)", runToken},
	{"backup", "备份编辑部数据 (consistent copy of the editorial store)", runBackup},
	{"serve", "运行编辑部服务器 (editorial server + reader site)", runServe},
	{"deploy", "部署读者网站到对象存储或文件夹 (put the built site on S3/OSS/COS or a folder)", runDeploy},
	{"import", "导入旧版面文字 (import legacy page text)", runImport},
	{"index", "更新搜索索引 (build or refresh the search index, incrementally)", runIndex},
	{"search", "搜索往期报道 (search past stories)", runSearch},
	{"version", "显示版本 (print the version)", runVersion},
}

// exitError asks main to exit with code after printing err (if not nil).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageError marks bad flags or arguments: exit code 2.
func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &Env{
		Stdin:    os.Stdin,
		Stdout:   os.Stdout,
		Stderr:   os.Stderr,
		Terminal: term.IsTerminal(int(os.Stderr.Fd())),
	}
	stopProfiles := startProfiles()
	code := run(ctx, env, os.Args[1:])
	stopProfiles()
	stop()
	os.Exit(code)
}

// run dispatches args to a subcommand and returns the process exit code.
func run(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 {
		printHelp(env.Stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if c := lookup(args[1]); c != nil {
				// Let the command's own flag set print its usage.
				_ = c.run(ctx, env, []string{"-h"})
				return 0
			}
		}
		printHelp(env.Stdout)
		return 0
	case "-version", "--version":
		name = "version"
	}
	c := lookup(name)
	if c == nil {
		fmt.Fprintf(env.Stderr, "banmian: unknown command %q\n\n", name)
		printHelp(env.Stderr)
		return 2
	}
	err := c.run(ctx, env, args[1:])
	return report(env.Stderr, c.name, err)
}

// report prints err for the user and maps it to an exit code.
func report(w io.Writer, name string, err error) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	code := 1
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		if ee.err == nil {
			return code
		}
	}
	msg := strings.TrimRight(err.Error(), "\n")
	fmt.Fprintf(w, "banmian %s: %s\n", name, msg)
	return code
}

func lookup(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

func printHelp(w io.Writer) {
	fmt.Fprintf(w, "banmian %s — 版面: one newspaper section page, from submission to print and web.\n\n", version)
	fmt.Fprintln(w, "Usage: banmian <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "  help      显示帮助 (this help; 'banmian help <command>' for its flags)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every command that reads content takes -source DIR (default content).")
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(env *Env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("banmian "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: banmian %s %s\n\nFlags:\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and turns flag errors into usage errors (exit 2).
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{code: 2}
	}
	return nil
}

func runVersion(ctx context.Context, env *Env, args []string) error {
	fmt.Fprintf(env.Stdout, "banmian %s\n", version)
	return nil
}
