// Bounded gzip/deflate decompression.
//
// A request body is decompressed into at most `max_output` bytes; a larger
// result (a "gzip bomb") fails with kTooLarge after having used no more than
// `max_output` bytes of memory. Thread-safe: no shared state.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace augur {

// Accepts gzip and zlib framing (auto-detected). Concatenated gzip members are decoded in turn.
StatusOr<std::string> GunzipBounded(std::string_view compressed, size_t max_output);

// Used by tests and the load generator.
std::string GzipCompress(std::string_view data, int level = 6);

}  // namespace augur
