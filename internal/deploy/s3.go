package deploy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// s3Remote deploys to an S3-compatible bucket.
type s3Remote struct {
	t *Target
	c *minio.Client
}

func newS3Remote(t *Target, opt Options) (*s3Remote, error) {
	v, err := t.credentialsValue(opt.Getenv)
	if err != nil {
		return nil, err
	}
	lookup := minio.BucketLookupAuto
	switch t.Addressing {
	case "path":
		lookup = minio.BucketLookupPath
	case "virtual":
		lookup = minio.BucketLookupDNS
	}
	tr, err := minio.DefaultTransport(t.Secure)
	if err != nil {
		return nil, err
	}
	tr.ResponseHeaderTimeout = time.Minute
	c, err := minio.New(t.Endpoint, &minio.Options{
		Creds:        credentials.NewStatic(v.AccessKeyID, v.SecretAccessKey, v.SessionToken, credentials.SignatureV4),
		Secure:       t.Secure,
		Region:       t.Region,
		BucketLookup: lookup,
		Transport:    tr,
		// The engine retries with its own backoff (Options.Retries), so
		// the client's retries would multiply it.
		MaxRetries: 1,
	})
	if err != nil {
		return nil, newError(ErrConfig, err, "部署目标 %s 的地址无效", "deploy target %s has a bad endpoint", t.Name)
	}
	return &s3Remote{t: t, c: c}, nil
}

func (r *s3Remote) objects(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	for o := range r.c.ListObjects(ctx, r.t.Bucket, minio.ListObjectsOptions{Prefix: r.t.Prefix, Recursive: true}) {
		if o.Err != nil {
			return nil, r.wrap(o.Err, "列出存储桶内容", "listing the bucket")
		}
		p := strings.TrimPrefix(o.Key, r.t.Prefix)
		if p == ManifestName || p == "" || strings.HasSuffix(p, "/") {
			continue
		}
		out[p] = strings.Trim(o.ETag, `"`)
	}
	return out, nil
}

func (r *s3Remote) manifest(ctx context.Context) ([]byte, error) {
	o, err := r.c.GetObject(ctx, r.t.Bucket, r.t.Key(ManifestName), minio.GetObjectOptions{})
	if err == nil {
		var b []byte
		b, err = io.ReadAll(io.LimitReader(o, 256<<20))
		o.Close()
		if err == nil {
			return b, nil
		}
	}
	if minio.ToErrorResponse(err).Code == "NoSuchKey" {
		return nil, nil
	}
	return nil, r.wrap(err, "读取部署清单", "reading the deploy manifest")
}

func (r *s3Remote) put(ctx context.Context, f *File) (string, error) {
	info, err := r.c.PutObject(ctx, r.t.Bucket, r.t.Key(f.Path), bytes.NewReader(f.Body), f.Size, minio.PutObjectOptions{
		ContentType:      f.ContentType,
		CacheControl:     f.CacheControl,
		ContentEncoding:  f.Encoding,
		SendContentMd5:   true,
		DisableMultipart: true,
	})
	if err != nil {
		return "", r.wrap(err, "上传 "+f.Path, "uploading "+f.Path)
	}
	return info.ETag, nil
}

func (r *s3Remote) keep(ctx context.Context, f *File) error { return nil }

func (r *s3Remote) remove(ctx context.Context, paths []string) error {
	ch := make(chan minio.ObjectInfo, len(paths))
	for _, p := range paths {
		ch <- minio.ObjectInfo{Key: r.t.Key(p)}
	}
	close(ch)
	for e := range r.c.RemoveObjects(ctx, r.t.Bucket, ch, minio.RemoveObjectsOptions{}) {
		if e.Err != nil {
			return r.wrap(e.Err, "删除 "+strings.TrimPrefix(e.ObjectName, r.t.Prefix), "deleting "+strings.TrimPrefix(e.ObjectName, r.t.Prefix))
		}
	}
	return nil
}

func (r *s3Remote) commit(ctx context.Context, mf []byte) error {
	_, err := r.c.PutObject(ctx, r.t.Bucket, r.t.Key(ManifestName), bytes.NewReader(mf), int64(len(mf)), minio.PutObjectOptions{
		ContentType:      "application/json",
		CacheControl:     "no-store",
		SendContentMd5:   true,
		DisableMultipart: true,
	})
	if err != nil {
		return r.wrap(err, "写入部署清单", "writing the deploy manifest")
	}
	return nil
}

func (r *s3Remote) abort() {}

// wrap turns a client error into a deploy error: bad credentials and a
// missing bucket get their kinds, 5xx, throttling and timeouts are marked
// transient.
func (r *s3Remote) wrap(err error, zh, en string) error {
	resp := minio.ToErrorResponse(err)
	switch resp.Code {
	case "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken", "ExpiredToken", "InvalidSecurity", "AuthorizationHeaderMalformed":
		return newError(ErrCredentials, err,
			"访问密钥被 %s 拒绝（%s）：请检查 AWS_ACCESS_KEY_ID、AWS_SECRET_ACCESS_KEY 及其对存储桶 %s 的权限",
			"the credentials were refused by %s (%s): check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and their rights on bucket %s",
			r.t.Endpoint, resp.Code, r.t.Bucket)
	case "NoSuchBucket":
		return newError(ErrNoBucket, err,
			"存储桶 %s 在 %s 上不存在：请先在控制台创建，或检查 url 里的存储桶名和 endpoint",
			"bucket %s does not exist on %s: create it first, or check the bucket name and endpoint in the url",
			r.t.Bucket, r.t.Endpoint)
	case "SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "Throttling", "TooManyRequests":
		return &transientError{plainError(err, zh+"失败，重试多次仍不成功", en+" failed, also after retries")}
	}
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		return &transientError{plainError(err, zh+"失败，重试多次仍不成功", en+" failed, also after retries")}
	}
	if resp.StatusCode == http.StatusForbidden {
		return newError(ErrCredentials, err,
			"%s 拒绝访问存储桶 %s：请检查访问密钥及其权限",
			"%s refused access to bucket %s: check the credentials and their rights", r.t.Endpoint, r.t.Bucket)
	}
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, io.ErrUnexpectedEOF), isConnReset(err):
		return &transientError{plainError(err, zh+"超时或连接中断，重试多次仍不成功", en+" timed out or was cut off, also after retries")}
	case errors.As(err, &ne):
		return plainError(err, zh+"失败：连不上 "+r.t.Endpoint, en+" failed: cannot reach "+r.t.Endpoint)
	}
	return plainError(err, zh+"失败", en+" failed")
}

func isConnReset(err error) bool {
	s := err.Error()
	return strings.Contains(s, "connection reset") || strings.Contains(s, "broken pipe") || strings.Contains(s, "EOF")
}
