#include "api/web_files.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string_view>
#include <vector>

namespace augur::api {
namespace {

namespace fs = std::filesystem;

#ifndef AUGUR_DEFAULT_WEB_DIR
#define AUGUR_DEFAULT_WEB_DIR "web"
#endif

constexpr const char* kIndex = "index.html";
constexpr std::string_view kAssetsPrefix = "assets/";

// The console needs nothing from elsewhere: its scripts, styles and fonts
// are bundled, and it talks only to this API.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

struct WebFile {
  std::string content_type;
  std::string body;
};
using WebFiles = std::map<std::string, WebFile, std::less<>>;  // by path relative to the web dir, '/'-separated

Status LoadFiles(const fs::path& root, WebFiles* files) {
  std::error_code ec;
  size_t bytes = 0;
  // Symlinks are not followed into directories, and symlinked files are
  // skipped below: only what is really under root is served.
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec) return Status::NotFound("cannot read web directory " + root.string() + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return Status::IOError("cannot read web directory " + root.string() + ": " + ec.message());
    const fs::file_status status = it->symlink_status(ec);
    if (ec || !fs::is_regular_file(status)) continue;
    const std::string rel = it->path().lexically_relative(root).generic_string();
    if (rel.empty() || rel.starts_with("..")) continue;
    if (files->size() >= kMaxWebFiles) {
      return Status::InvalidArgument("web directory " + root.string() + " holds more than " +
                                     std::to_string(kMaxWebFiles) + " files");
    }
    const uintmax_t size = it->file_size(ec);
    if (ec) continue;
    bytes += size;
    if (bytes > kMaxWebBytes) {
      return Status::InvalidArgument("web directory " + root.string() + " holds more than " +
                                     std::to_string(kMaxWebBytes >> 20) + " MiB");
    }
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    if (!in) return Status::IOError("cannot read " + it->path().string());
    (*files)[rel] = WebFile{WebContentType(rel), std::move(body).str()};
  }
  return Status::OK();
}

http::Response NotFound(const std::string& path) {
  return http::ErrorResponse(Status::NotFound("no such path: " + path));
}

http::Response Serve(const WebFiles& files, const std::string& path) {
  // The path's segments, without empty ones; "." and ".." name nothing here.
  std::string key;
  std::string_view last;
  size_t i = 0;
  while (i < path.size()) {
    const size_t j = std::min(path.find('/', i), path.size());
    const std::string_view segment = std::string_view(path).substr(i, j - i);
    i = j + 1;
    if (segment.empty()) continue;
    if (segment == "." || segment == ".." || segment.find('\\') != std::string_view::npos ||
        segment.find('\0') != std::string_view::npos) {
      return NotFound(path);
    }
    if (!key.empty()) key += '/';
    key += segment;
    last = segment;
  }
  if (key == "api" || key.starts_with("api/")) return NotFound(path);
  bool fallback = false;
  auto it = files.find(key);
  if (it == files.end()) {
    // A missing file (its name has a dot) is a 404, not the page: a script
    // tag must not get HTML.
    if (last.find('.') != std::string_view::npos) return NotFound(path);
    it = files.find(kIndex);
    fallback = true;
  }
  http::Response r;
  r.content_type = it->second.content_type;
  r.body = it->second.body;
  const bool immutable = !fallback && key.starts_with(kAssetsPrefix);
  r.headers.emplace_back("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (it->first == kIndex) {
    r.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
  }
  return r;
}

}  // namespace

const char* DefaultWebDir() {
  return AUGUR_DEFAULT_WEB_DIR;
}

std::string WebContentType(const std::string& file_name) {
  static const std::map<std::string, std::string, std::less<>> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
      {".wasm", "application/wasm"},
  };
  const std::string ext = fs::path(file_name).extension().string();
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

StatusOr<size_t> RegisterWebRoutes(http::Server* server, const std::string& web_dir) {
  auto files = std::make_shared<WebFiles>();
  if (Status s = LoadFiles(fs::path(web_dir), files.get()); !s.ok()) return s;
  if (!files->contains(kIndex)) return Status::NotFound("no " + std::string(kIndex) + " in " + web_dir);
  std::shared_ptr<const WebFiles> shared = std::move(files);
  std::string pattern;
  for (size_t depth = 0; depth <= kMaxWebDepth; ++depth) {
    if (depth > 0) pattern += "/{p" + std::to_string(depth) + "}";
    server->Route(
        "GET", pattern.empty() ? "/" : pattern,
        [shared](http::Request& req, http::Reply reply) { reply(Serve(*shared, req.path)); },
        /*authenticated=*/false);
  }
  return shared->size();
}

}  // namespace augur::api
