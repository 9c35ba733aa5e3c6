#include "common/gzip.h"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <memory>

namespace augur {

namespace {

struct DecompressorFree {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

// One per thread: libdeflate's decompressor is ~10 KB of tables, not worth
// allocating per request, and not shareable between threads.
libdeflate_decompressor* ThreadDecompressor() {
  thread_local std::unique_ptr<libdeflate_decompressor, DecompressorFree> d(libdeflate_alloc_decompressor());
  return d.get();
}

bool IsGzipMember(std::string_view in) {
  return in.size() >= 2 && static_cast<uint8_t>(in[0]) == 0x1f && static_cast<uint8_t>(in[1]) == 0x8b;
}

// The uncompressed size the last gzip member claims (ISIZE, mod 2^32): a
// first guess for the output buffer, never trusted beyond that.
size_t TrailerSizeHint(std::string_view in) {
  if (!IsGzipMember(in) || in.size() < 18) return 0;
  const auto* p = reinterpret_cast<const uint8_t*>(in.data() + in.size() - 4);
  return static_cast<size_t>(p[0]) | static_cast<size_t>(p[1]) << 8 | static_cast<size_t>(p[2]) << 16 |
         static_cast<size_t>(p[3]) << 24;
}

Status TooLarge(size_t max_output) {
  return Status::TooLarge("decompressed body exceeds the limit of " + std::to_string(max_output) + " bytes");
}

}  // namespace

StatusOr<std::string> GunzipBounded(std::string_view compressed, size_t max_output) {
  if (compressed.empty()) return Status::InvalidArgument("gzip body is truncated");
  libdeflate_decompressor* d = ThreadDecompressor();
  if (d == nullptr) return Status::Internal("libdeflate_alloc_decompressor failed");

  std::string out;
  size_t guess = std::max({TrailerSizeHint(compressed), compressed.size() * 4, size_t{4096}});
  out.resize(std::min(guess, max_output));
  size_t produced = 0;
  while (!compressed.empty()) {
    const bool gzip = IsGzipMember(compressed);
    size_t in_used = 0, out_got = 0;
    libdeflate_result rc;
    for (;;) {
      rc = gzip ? libdeflate_gzip_decompress_ex(d, compressed.data(), compressed.size(), out.data() + produced,
                                                out.size() - produced, &in_used, &out_got)
                : libdeflate_zlib_decompress_ex(d, compressed.data(), compressed.size(), out.data() + produced,
                                                out.size() - produced, &in_used, &out_got);
      if (rc != LIBDEFLATE_INSUFFICIENT_SPACE) break;
      // The member does not fit: it is decoded again into twice the room,
      // so a lying ISIZE costs at most about twice the work.
      if (out.size() >= max_output) return TooLarge(max_output);
      out.resize(std::min(std::max(out.size() * 2, size_t{4096}), max_output));
    }
    if (rc != LIBDEFLATE_SUCCESS || in_used == 0) {
      return Status::InvalidArgument(gzip ? "corrupt or truncated gzip body" : "corrupt or truncated deflate body");
    }
    produced += out_got;
    compressed.remove_prefix(in_used);
  }
  out.resize(produced);
  return out;
}

std::string GzipCompress(std::string_view data, int level) {
  z_stream zs{};
  deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace augur
