package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/deploy"
	"github.com/banmian/banmian/internal/progress"
)

func runDeploy(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "deploy", "[-source content] [-out public] [-target NAME] [-dry-run] [-max-deletes N] [-force]")
	source := fs.String("source", "content", "content folder (its site.yaml lists the deploy targets)")
	out := fs.String("out", "public", "the built site to deploy (run banmian build first)")
	target := fs.String("target", "", "deploy target `NAME` from site.yaml (default: the only one, or deploy.auto)")
	dryRun := fs.Bool("dry-run", false, "show what would be uploaded and deleted, change nothing")
	maxDeletes := fs.Int("max-deletes", deploy.DefaultMaxDeletes, "refuse a deploy that deletes more than `N` files")
	force := fs.Bool("force", false, "delete however many files are gone from the site")
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if *maxDeletes < 0 {
		return usageError("-max-deletes must be 0 or more")
	}
	cfg, err := deployConfig(*source)
	if err != nil {
		return err
	}
	tg, err := pickTarget(cfg, *target)
	if err != nil {
		return err
	}
	bar := progress.New(env.Stderr, "部署", env.Terminal && !*quiet)
	opt := deploy.Options{Dir: *out, Target: tg, DryRun: *dryRun, MaxDeletes: *maxDeletes, Force: *force, Progress: bar.Func()}
	if *maxDeletes == 0 {
		opt.MaxDeletes = -1 // none at all
	}
	st, err := deploy.Run(ctx, opt)
	bar.Done()
	if err != nil {
		return err
	}
	if *quiet {
		return nil
	}
	if *dryRun {
		for _, p := range st.Uploads {
			fmt.Fprintf(env.Stdout, "upload %s\n", p)
		}
		for _, p := range st.Deletes {
			fmt.Fprintf(env.Stdout, "delete %s\n", p)
		}
	}
	fmt.Fprintf(env.Stdout, "deployed %s to %s (%s): %s\n", *out, tg.Name, tg, st)
	return nil
}

// deployConfig reads the deploy section of the site config in source.
func deployConfig(source string) (content.Deploy, error) {
	for _, name := range []string{"site.yaml", "site.yml", "site.toml"} {
		b, err := os.ReadFile(filepath.Join(source, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return content.Deploy{}, err
		}
		s, errs := content.ParseSite(name, b)
		if err := errs.Err(); err != nil {
			return content.Deploy{}, fmt.Errorf("%s: %w", source, err)
		}
		return s.Deploy, nil
	}
	return content.Deploy{}, nil
}

// pickTarget chooses the target named name, or else the only one, or
// else deploy.auto.
func pickTarget(cfg content.Deploy, name string) (*deploy.Target, error) {
	var names []string
	for _, t := range cfg.Targets {
		names = append(names, t.Name)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("site.yaml 里没有部署目标 / site.yaml lists no deploy targets: add deploy.targets (see README, Deploying)")
	}
	switch {
	case name != "":
	case len(names) == 1:
		name = names[0]
	case cfg.Auto != "":
		name = cfg.Auto
	default:
		return nil, usageError("several deploy targets (%s): choose one with -target", strings.Join(names, ", "))
	}
	t := cfg.Target(name)
	if t == nil {
		return nil, usageError("no deploy target %q in site.yaml (targets: %s)", name, strings.Join(names, ", "))
	}
	return deploy.ParseTarget(*t)
}

// autoDeployer returns the background deployer banmian serve runs after
// each publish when site.yaml sets deploy.auto, or nil. Each deploy
// first waits for the static search index of the publish, and reads
// site.yaml again, so a changed target takes effect without a restart.
func autoDeployer(o siteOptions, settle func(context.Context) error, logger *slog.Logger) (*deploy.Auto, error) {
	cfg, err := deployConfig(o.source)
	if err != nil || cfg.Auto == "" {
		return nil, err
	}
	if _, err := pickTarget(cfg, cfg.Auto); err != nil {
		return nil, fmt.Errorf("deploy.auto: %w", err)
	}
	run := func(ctx context.Context) (deploy.Stats, error) {
		if err := settle(ctx); err != nil {
			return deploy.Stats{}, err
		}
		cfg, err := deployConfig(o.source)
		if err != nil {
			return deploy.Stats{}, err
		}
		if cfg.Auto == "" {
			return deploy.Stats{}, &deploy.Error{Kind: deploy.ErrConfig, Zh: "site.yaml 已不再设置自动部署（deploy.auto）", En: "site.yaml no longer sets deploy.auto"}
		}
		tg, err := pickTarget(cfg, cfg.Auto)
		if err != nil {
			return deploy.Stats{}, err
		}
		return deploy.Run(ctx, deploy.Options{Dir: o.out, Target: tg})
	}
	return deploy.NewAuto(cfg.Auto, run, func(st deploy.Status, err error) {
		if err != nil {
			logger.Error("deploy after publish", "target", st.Target, "err", err)
			return
		}
		logger.Info("deployed after publish", "target", st.Target, "stats", st.Stats.String())
	}), nil
}
