package deploy

import (
	"errors"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/banmian/banmian/internal/content"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Kinds of target.
const (
	KindS3     = "s3"
	KindFolder = "folder"
)

// Target is a parsed deploy target.
type Target struct {
	Name string
	Kind string // KindS3 or KindFolder

	// S3: the bucket, the key prefix the site lives under ("" or
	// "site/"), the endpoint host[:port], whether it speaks TLS, the region.
	Bucket, Prefix string
	Endpoint       string
	Secure         bool
	Region         string
	// Addressing is "path" (endpoint/bucket/key), "virtual"
	// (bucket.endpoint/key) or "" (the client's choice).
	Addressing string
	Gzip       bool
	// CredentialsFile and Profile name an AWS-style credentials file and
	// the section in it, for when the environment has no keys.
	CredentialsFile, Profile string

	// Folder: the folder the site is put in.
	Dir string
}

// ParseTarget checks a target of site.yaml and parses its URL:
//
//	s3://bucket[/prefix][?endpoint=https://host[:port]][&region=R][&pathStyle=true|false][&gzip=true]
//	file:///srv/www/banmian, or a plain folder path
//
// Without endpoint the bucket is on AWS S3. Errors: ErrConfig.
func ParseTarget(t content.DeployTarget) (*Target, error) {
	bad := func(zh, en string, args ...any) error {
		return newError(ErrConfig, nil, "部署目标 "+t.Name+"："+zh, "deploy target "+t.Name+": "+en, args...)
	}
	raw := strings.TrimSpace(t.URL)
	if raw == "" {
		return nil, bad("没有填写 url", "no url")
	}
	tg := &Target{Name: t.Name, Gzip: t.Gzip, CredentialsFile: t.Credentials, Profile: t.Profile}
	if t.PathStyle != nil {
		tg.Addressing = map[bool]string{true: "path", false: "virtual"}[*t.PathStyle]
	}
	if !strings.Contains(raw, "://") {
		tg.Kind = KindFolder
		tg.Dir = filepath.Clean(raw)
		return tg, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, bad("url 无法解析：%s", "malformed url: %s", raw)
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, bad("file:// 只能指向本机文件夹：%s", "file:// must name a local folder: %s", raw)
		}
		if u.Path == "" {
			return nil, bad("file:// 后面没有文件夹", "file:// names no folder")
		}
		tg.Kind = KindFolder
		tg.Dir = filepath.Clean(filepath.FromSlash(u.Path))
		return tg, nil
	case "s3":
	default:
		return nil, bad("不认识的地址类型 %q（可用 s3:// 或 file://）", "unknown url scheme %q (use s3:// or file://)", u.Scheme)
	}
	tg.Kind = KindS3
	tg.Bucket = u.Host
	if tg.Bucket == "" {
		return nil, bad("s3:// 后面没有存储桶名", "s3:// names no bucket")
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		clean := path.Clean(p)
		if clean != p || clean == ".." || strings.HasPrefix(clean, "../") || strings.Contains(p, "//") {
			return nil, bad("前缀 %q 不规范", "prefix %q is not a clean path", p)
		}
		tg.Prefix = clean + "/"
	}
	q := u.Query()
	tg.Endpoint, tg.Secure = "s3.amazonaws.com", true
	if ep := q.Get("endpoint"); ep != "" {
		eu, err := url.Parse(ep)
		if err != nil || (eu.Scheme != "http" && eu.Scheme != "https") || eu.Host == "" || strings.Trim(eu.Path, "/") != "" {
			return nil, bad("endpoint 应形如 https://oss-cn-shanghai.aliyuncs.com：%s", "endpoint should look like https://oss-cn-shanghai.aliyuncs.com: %s", ep)
		}
		tg.Endpoint, tg.Secure = eu.Host, eu.Scheme == "https"
	}
	tg.Region = q.Get("region")
	for _, k := range []string{"pathStyle", "gzip"} {
		v := q.Get(k)
		if v == "" {
			continue
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, bad("%s 应为 true 或 false：%s", "%s should be true or false: %s", k, v)
		}
		if k == "pathStyle" {
			tg.Addressing = map[bool]string{true: "path", false: "virtual"}[b]
		} else {
			tg.Gzip = tg.Gzip || b
		}
	}
	return tg, nil
}

// credentialsValue finds the keys for an S3 target: the environment first
// (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, with AWS_SESSION_TOKEN),
// then the target's credentials file, AWS_SHARED_CREDENTIALS_FILE or
// ~/.aws/credentials (profile: the target's, AWS_PROFILE or default).
// Errors: ErrCredentials.
func (t *Target) credentialsValue(getenv func(string) string) (credentials.Value, error) {
	id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	switch {
	case id != "" && secret != "":
		return credentials.Value{AccessKeyID: id, SecretAccessKey: secret, SessionToken: getenv("AWS_SESSION_TOKEN"), SignerType: credentials.SignatureV4}, nil
	case id != "" || secret != "":
		return credentials.Value{}, newError(ErrCredentials, nil,
			"环境变量 AWS_ACCESS_KEY_ID 和 AWS_SECRET_ACCESS_KEY 要同时设置",
			"set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	file := t.CredentialsFile
	if file == "" {
		file = getenv("AWS_SHARED_CREDENTIALS_FILE")
	}
	if file == "" {
		if home := getenv("HOME"); home != "" {
			file = filepath.Join(home, ".aws", "credentials")
		}
	}
	none := newError(ErrCredentials, nil,
		"没有找到访问密钥：请设置环境变量 AWS_ACCESS_KEY_ID 和 AWS_SECRET_ACCESS_KEY，或在 credentials 文件里配置",
		"no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use a credentials file")
	if file == "" {
		return credentials.Value{}, none
	}
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		if t.CredentialsFile != "" {
			return credentials.Value{}, newError(ErrCredentials, nil, "找不到密钥文件 %s", "credentials file %s not found", file)
		}
		return credentials.Value{}, none
	}
	profile := t.Profile
	if profile == "" {
		profile = getenv("AWS_PROFILE")
	}
	if profile == "" {
		profile = "default"
	}
	v, err := credentials.NewFileAWSCredentials(file, profile).Get()
	if err != nil || v.AccessKeyID == "" || v.SecretAccessKey == "" {
		return credentials.Value{}, newError(ErrCredentials, err,
			"密钥文件 %s 的 [%s] 里没有可用的访问密钥", "credentials file %s has no usable keys in profile [%s]", file, profile)
	}
	v.SignerType = credentials.SignatureV4
	return v, nil
}

// Key is the object key of a site path on an S3 target.
func (t *Target) Key(p string) string { return t.Prefix + p }

// String describes the target for messages (no credentials).
func (t *Target) String() string {
	if t.Kind == KindFolder {
		return t.Dir
	}
	return "s3://" + t.Bucket + "/" + t.Prefix + " (" + t.Endpoint + ")"
}
