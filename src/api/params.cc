#include "api/params.h"

#include <algorithm>
#include <charconv>

#include "common/time_format.h"

namespace augur::api {

http::Response JsonResponse(const nlohmann::json& body, unsigned status) {
  http::Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Status ParseRange(const http::Request& req, uint64_t* from, uint64_t* to, size_t* limit) {
  if (auto it = req.query.find("from"); it != req.query.end() && !it->second.empty()) {
    auto t = ParseTimestamp(it->second);
    if (!t.ok()) return Status::InvalidArgument("from: " + t.status().message());
    *from = *t;
  }
  if (auto it = req.query.find("to"); it != req.query.end() && !it->second.empty()) {
    auto t = ParseTimestamp(it->second);
    if (!t.ok()) return Status::InvalidArgument("to: " + t.status().message());
    *to = *t;
  }
  if (*from > *to) return Status::InvalidArgument("from is after to");
  *limit = kDefaultLimit;
  if (auto it = req.query.find("limit"); it != req.query.end() && !it->second.empty()) {
    size_t n = 0;
    const auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
    if (ec != std::errc() || p != it->second.data() + it->second.size() || n == 0) {
      return Status::InvalidArgument("limit must be a positive integer, got '" + it->second + "'");
    }
    *limit = std::min(n, kMaxLimit);
  }
  return Status::OK();
}

std::string Param(const http::Request& req, const std::string& name) {
  auto it = req.query.find(name);
  return it == req.query.end() ? std::string() : it->second;
}

}  // namespace augur::api
