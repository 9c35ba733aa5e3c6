// Bounded gzip/deflate decompression.
//
// A request body is decompressed into at most `max_output` bytes; a larger
// result (a "gzip bomb") fails with kTooLarge after having used no more than
// `max_output` bytes of memory and about twice that much decoding work.
// Thread-safe: each thread keeps its own decompressor.
//
// Decompression is libdeflate's (about twice zlib's inflate speed, measured
// in bench/run.sh ingest), which needs the output buffer up front: it is
// sized from the gzip trailer's ISIZE, a hint only (a sender may lie, and
// members may be concatenated), and grown by doubling, up to the limit, when
// it turns out too small.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace augur {

// Accepts gzip and zlib framing (auto-detected per member). Concatenated
// members are decoded in turn.
StatusOr<std::string> GunzipBounded(std::string_view compressed, size_t max_output);

// Used by tests and the load generator.
std::string GzipCompress(std::string_view data, int level = 6);

}  // namespace augur
