#include "detect/codec.h"

#include <bit>

namespace augur::detect {

static_assert(std::endian::native == std::endian::little, "state encoding assumes a little-endian host");

void ByteWriter::Header(StateType type, uint8_t version) {
  out_->push_back('a');
  out_->push_back('d');
  out_->push_back(static_cast<char>(type));
  out_->push_back(static_cast<char>(version));
}

Status ByteReader::Header(StateType type, uint8_t version) {
  if (in_.size() < 4 || in_[0] != 'a' || in_[1] != 'd') {
    return Status::InvalidArgument("detector state: bad magic");
  }
  if (static_cast<uint8_t>(in_[2]) != static_cast<uint8_t>(type)) {
    return Status::InvalidArgument("detector state: type " + std::to_string(static_cast<uint8_t>(in_[2])) + ", want " +
                                   std::to_string(static_cast<uint8_t>(type)));
  }
  if (static_cast<uint8_t>(in_[3]) != version) {
    return Status::InvalidArgument("detector state: version " + std::to_string(static_cast<uint8_t>(in_[3])) +
                                   ", want " + std::to_string(version));
  }
  in_.remove_prefix(4);
  return Status::OK();
}

Status ByteReader::Finish(const char* what) const {
  if (failed_) return Status::InvalidArgument(std::string(what) + " state: truncated");
  if (!in_.empty()) {
    return Status::InvalidArgument(std::string(what) + " state: " + std::to_string(in_.size()) + " bytes left over");
  }
  return Status::OK();
}

}  // namespace augur::detect
