#include "common/gzip.h"

#include <zlib.h>

#include <algorithm>

namespace augur {

StatusOr<std::string> GunzipBounded(std::string_view compressed, size_t max_output) {
  z_stream zs{};
  // 15 window bits + 32: detect gzip or zlib headers automatically.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Status::Internal("inflateInit2 failed");
  std::string out;
  out.resize(std::min<size_t>(std::max<size_t>(compressed.size() * 4, 4096), max_output + 1));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  size_t produced = 0;
  Status status;
  for (;;) {
    if (produced == out.size()) {
      if (out.size() > max_output) {
        status = Status::TooLarge("decompressed body exceeds the limit of " + std::to_string(max_output) + " bytes");
        break;
      }
      out.resize(std::min(out.size() * 2, max_output + 1));
    }
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(out.size() - produced);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    produced = out.size() - zs.avail_out;
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Another gzip member follows.
      if (inflateReset(&zs) != Z_OK) {
        status = Status::InvalidArgument("corrupt gzip stream");
        break;
      }
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      status = Status::InvalidArgument("gzip body is truncated");
      break;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      status = Status::InvalidArgument(std::string("corrupt gzip body: ") + (zs.msg ? zs.msg : "inflate error"));
      break;
    }
  }
  inflateEnd(&zs);
  if (!status.ok()) return status;
  if (produced > max_output) {
    return Status::TooLarge("decompressed body exceeds the limit of " + std::to_string(max_output) + " bytes");
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
