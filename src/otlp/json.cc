// OTLP JSON → protobuf: an id-rewriting pass with nlohmann's SAX parser, then
// protobuf's JSON parser.

#include "otlp/json.h"

#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/hex.h"

namespace augur::otlp {
namespace {

using nlohmann::json;

// Keys whose string values are hex ids in OTLP JSON and base64 in proto3 JSON:
// spans, links, log records and exemplars, in both spellings protobuf accepts.
// No other OTLP field has these names, and attribute keys are values, not
// JSON keys, so matching on the key alone is exact.
bool IsIdKey(std::string_view key) {
  return key == "traceId" || key == "spanId" || key == "parentSpanId" || key == "trace_id" || key == "span_id" ||
         key == "parent_span_id";
}

void AppendBase64(std::span<const uint8_t> bytes, std::string* out) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = bytes[i] << 16 | bytes[i + 1] << 8 | bytes[i + 2];
    out->push_back(kAlphabet[n >> 18]);
    out->push_back(kAlphabet[(n >> 12) & 63]);
    out->push_back(kAlphabet[(n >> 6) & 63]);
    out->push_back(kAlphabet[n & 63]);
  }
  if (i + 1 == bytes.size()) {
    const uint32_t n = bytes[i] << 16;
    out->push_back(kAlphabet[n >> 18]);
    out->push_back(kAlphabet[(n >> 12) & 63]);
    out->append("==");
  } else if (i + 2 == bytes.size()) {
    const uint32_t n = bytes[i] << 16 | bytes[i + 1] << 8;
    out->push_back(kAlphabet[n >> 18]);
    out->push_back(kAlphabet[(n >> 12) & 63]);
    out->push_back(kAlphabet[(n >> 6) & 63]);
    out->push_back('=');
  }
}

// Appends `s` as a JSON string literal. The parser has checked that it is
// UTF-8, so only quotes, backslashes and control characters need escaping.
void AppendQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kDigits[] = "0123456789abcdef";
          out->append("\\u00");
          out->push_back(kDigits[c >> 4]);
          out->push_back(kDigits[c & 15]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

// Error texts from both parsers may quote the input (a whole string token,
// say), which may be long or not UTF-8. The message goes back to the client in
// a google.rpc.Status, so keep it short and printable ASCII.
std::string Printable(std::string_view text) {
  constexpr size_t kMaxLength = 300;
  std::string out(text.substr(0, kMaxLength));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  if (text.size() > kMaxLength) out += "...";
  return out;
}

// A SAX handler that writes the document back out compactly, with hex ids
// turned into base64 and nesting depth checked. nlohmann's parser is
// iterative, so no input can exhaust the stack here.
class IdRewriter {
 public:
  explicit IdRewriter(size_t size_hint) { out_.reserve(size_hint + size_hint / 8); }

  const std::string& output() const { return out_; }
  const std::string& error() const { return error_; }

  bool null() { return Scalar("null"); }
  bool boolean(bool value) { return Scalar(value ? "true" : "false"); }
  bool number_integer(json::number_integer_t value) { return Number(value); }
  bool number_unsigned(json::number_unsigned_t value) { return Number(value); }
  bool number_float(json::number_float_t, const json::string_t& text) { return Scalar(text); }
  bool string(json::string_t& value) {
    BeginValue();
    if (id_value_next_) {
      id_value_next_ = false;
      std::optional<std::vector<uint8_t>> id = HexDecode(value);
      if (!id) id.emplace(1, 0);
      out_.push_back('"');
      AppendBase64(*id, &out_);
      out_.push_back('"');
    } else {
      AppendQuoted(value, &out_);
    }
    return true;
  }
  bool binary(json::binary_t&) { return false; }  // only in binary formats, never JSON
  bool start_object(size_t) { return Open('{'); }
  bool key(json::string_t& key) {
    BeginValue();
    AppendQuoted(key, &out_);
    out_.push_back(':');
    id_value_next_ = IsIdKey(key);
    return true;
  }
  bool end_object() { return Close('}'); }
  bool start_array(size_t) { return Open('['); }
  bool end_array() { return Close(']'); }
  bool parse_error(size_t position, const std::string&, const json::exception& e) {
    // what() is "[json.exception.parse_error.101] parse error at line 1, column 5: ..."
    std::string_view what = e.what();
    const size_t prefix_end = what.find("] ");
    if (prefix_end != std::string_view::npos) what.remove_prefix(prefix_end + 2);
    error_ = Printable(what) + " (byte " + std::to_string(position) + ")";
    return false;
  }

 private:
  // Writes the comma that separates this key or value from the one before.
  void BeginValue() {
    if (!out_.empty() && out_.back() != '{' && out_.back() != '[' && out_.back() != ':') out_.push_back(',');
  }

  bool Scalar(std::string_view text) {
    BeginValue();
    id_value_next_ = false;
    out_.append(text);
    return true;
  }

  template <typename Int>
  bool Number(Int value) {
    char buffer[24];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
    return Scalar(std::string_view(buffer, end - buffer));
  }

  bool Open(char bracket) {
    if (++depth_ > kMaxJsonDepth) {
      error_ = "document nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
      return false;
    }
    BeginValue();
    id_value_next_ = false;
    out_.push_back(bracket);
    return true;
  }

  bool Close(char bracket) {
    --depth_;
    out_.push_back(bracket);
    return true;
  }

  std::string out_;
  std::string error_;
  int depth_ = 0;
  bool id_value_next_ = false;
};

}  // namespace

Status JsonToProto(std::string_view body, google::protobuf::Message* message) {
  const std::string what = "cannot parse " + message->GetDescriptor()->name() + " JSON: ";
  IdRewriter rewriter(body.size());
  if (!json::sax_parse(body, &rewriter)) return Status::InvalidArgument(what + rewriter.error());

  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // as the OTLP specification requires
  const auto status = google::protobuf::util::JsonStringToMessage(rewriter.output(), message, options);
  if (!status.ok()) {
    std::string_view reason(status.message().data(), status.message().size());
    if (reason.starts_with(": ")) reason.remove_prefix(2);  // protobuf's "<field path>: ", for the root
    return Status::InvalidArgument(what + Printable(reason));
  }
  return Status::OK();
}

}  // namespace augur::otlp
