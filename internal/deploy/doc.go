// Package deploy puts the built reader site on its deploy target: an
// S3-compatible bucket (Aliyun OSS, Tencent COS, MinIO, SeaweedFS, AWS S3)
// behind a CDN, or a plain folder an nginx host serves.
//
// Guarantees:
//
//   - Incremental. Only files whose bytes or headers changed are uploaded:
//     a manifest stored beside the site (.banmian-deploy.json) records the
//     MD5 and headers of every file uploaded, and the target's listing
//     (ETag) confirms the object is still the one uploaded. A lost
//     manifest costs one full upload, never a wrong site.
//   - Safe order. Assets and search shards go first, then the search
//     index's entry files, then story and list pages, then the home page,
//     feed.xml, sitemap.xml and robots.txt; deletes come last. A reader
//     never gets a page that links to a file not yet uploaded.
//   - Bounded deletes. A deploy that would delete more than MaxDeletes
//     files (default 256) changes nothing and fails, unless Force.
//   - A folder target is replaced in one step (site.SwapDir): nginx
//     serves the old site or the new one, never a mix.
//   - Credentials come from the environment (AWS_ACCESS_KEY_ID,
//     AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) or an AWS-style
//     credentials file, never from site.yaml.
//   - Requests failing with a 5xx, throttling or a timeout are retried with
//     exponential backoff. Bad credentials and a missing bucket fail at
//     once with a Chinese and English message (ErrCredentials,
//     ErrNoBucket).
//
// Files and folders whose names start with a dot (the build's own state,
// such as .banmian-build) are never deployed.
//
// The S3 client is github.com/minio/minio-go/v7: one module with a small
// dependency tree, path-style and virtual-host addressing, AWS credentials
// files, and plain single-part PUTs whose ETag is the MD5 on every
// S3-compatible service. (aws-sdk-go-v2's S3 client sends CRC checksums
// with aws-chunked trailers by default since 2025, which several
// S3-compatible services reject, and brings a dozen modules.)
package deploy
