// Package server is banmian's editorial HTTP server: the desk where town
// offices submit stories and the section editor reviews them, builds dated
// pages and publishes them, the JSON API scripts use, and the reader site.
//
// Routes:
//
//	/            the reader site (the built public/ folder)
//	/desk/       the editorial UI (server-rendered zh-Hans HTML, plain forms)
//	/api/        the JSON API (Bearer tokens, or a session with X-CSRF-Token)
//	/search, /api/search   search (Config.SearchHandler, or the built-in one)
//	/desk/admin/backup, /api/backup   a hot backup of the store (admins)
//
// Guarantees:
//   - Every response passes one path (respond.go) that sets the security
//     headers: a Content-Security-Policy without inline script, nosniff,
//     frame denial and a referrer policy. Errors are HTML or JSON by the
//     request's Accept header and never carry a stack or an internal cause.
//   - Every handler is registered with the roles that may call it (routes.go);
//     a submitter sees and changes only their own office's submissions.
//   - Every state-changing request from a browser session carries the
//     session's CSRF token (form field or X-CSRF-Token header), compared in
//     constant time; API calls with a Bearer token need none.
//   - Every request body is size-limited.
//   - The desk's search (?q= on /desk/submissions and /api/submissions)
//     runs over a full-text index of submissions (Config.SubmissionIndex)
//     updated whenever a request changes a submission; New syncs it with
//     the store, so a change a crash kept out of it is caught up. A search
//     finds every change whose request has answered (but a body that ran
//     out of render time, which is logged and waits for the next start).
//   - The lists of submissions (/desk/submissions, /api/submissions) come
//     a page at a time, and read only that page's submissions from the
//     store: an office with thousands lists as fast as one with ten.
//   - Long bodies (over 32 KB, heavyBody) are rendered one at a time, for
//     a preview or for the submission index, by the request that sent
//     them, and take at most a quarter of one CPU over time (heavyShare);
//     searches never wait for one.
//   - Publishing an edition (publish.go) either completes, or leaves
//     content/, the site, the search index and the store as they were.
//
// A Server is safe for concurrent use.
package server
