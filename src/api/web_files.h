// The web console (web/, a Vite build) served at / on the API port.
//
// The files are read once, when the routes are registered, into memory (the
// built console is a few hundred KiB): requests never touch the file system,
// so no request path can reach a file outside the web directory, whatever
// its "..", "%2e%2e" or symlinks. Only regular files are taken (symlinks are
// skipped); at most kMaxWebFiles files of at most kMaxWebBytes together.
// Restart augur to serve a new build.
//
// Answers, for GET:
//  - a path naming a file: the file, with its content type by extension;
//    `Cache-Control: public, max-age=31536000, immutable` under /assets/
//    (Vite puts a content hash in those names), `no-cache` otherwise;
//  - any other path outside /api/ whose last segment has no dot: index.html
//    (the console routes itself: /insights/in-…, so a reload works);
//  - anything else, including every unknown /api/ path: 404 JSON, as before.
// index.html carries a Content-Security-Policy that allows only augur's own
// scripts, styles and API (the console needs nothing from elsewhere); every
// answer carries X-Content-Type-Options: nosniff.
//
// The routes are catch-alls ("/", "/{p1}", … up to kMaxWebDepth segments)
// and the server takes the first route that matches: register them after
// every other route. They need no bearer token (the console asks for one
// when the API answers 401; its files hold no data).
//
// Threads: the files are immutable once loaded; handlers run on any thread.
#pragma once

#include <cstddef>
#include <string>

#include "common/status.h"
#include "http/server.h"

namespace augur::api {

inline constexpr size_t kMaxWebFiles = 1000;
inline constexpr size_t kMaxWebBytes = 64u << 20;
inline constexpr size_t kMaxWebDepth = 8;

// Where the build puts the console (CMake's ${build}/web): the web
// directory when none is configured.
const char* DefaultWebDir();

// The content type served for a file name ("app.js" → "text/javascript;
// charset=utf-8"); application/octet-stream when unknown.
std::string WebContentType(const std::string& file_name);

// Loads `web_dir` and registers the console's routes. NotFound (nothing
// registered) when the directory has no index.html; InvalidArgument when
// it holds more than the bounds allow. On success, the number of files.
StatusOr<size_t> RegisterWebRoutes(http::Server* server, const std::string& web_dir);

}  // namespace augur::api
