// Request parameters and JSON answers shared by the API's routes.
// docs/api.md states the conventions these implement.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "http/server.h"

namespace augur::api {

inline constexpr size_t kDefaultLimit = 1000;
inline constexpr size_t kMaxLimit = 10000;

// A 200 answer with `body`; invalid UTF-8 from clients is replaced rather
// than failing the whole answer.
http::Response JsonResponse(const nlohmann::json& body, unsigned status = 200);

// Reads from/to (RFC 3339 or integer Unix times) and limit (default
// kDefaultLimit, capped at kMaxLimit), which every range query shares.
// Leaves *from and *to as they are when absent.
Status ParseRange(const http::Request& req, uint64_t* from, uint64_t* to, size_t* limit);

// The query parameter `name`, or "".
std::string Param(const http::Request& req, const std::string& name);

}  // namespace augur::api
