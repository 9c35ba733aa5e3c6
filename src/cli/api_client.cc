#include "cli/api_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace augur::cli {
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

struct Endpoint {
  std::string host, port;
};

StatusOr<Endpoint> ParseUrl(const std::string& url) {
  std::string_view rest = url;
  if (rest.starts_with("https://")) return Status::Unsupported("the CLI speaks plain http only: " + url);
  if (rest.starts_with("http://")) rest.remove_prefix(7);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty() || rest.find('/') != std::string_view::npos) {
    return Status::InvalidArgument("API URL must look like http://HOST:PORT, got '" + url + "'");
  }
  const size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || rest.back() == ']') return Endpoint{std::string(rest), "80"};
  std::string host(rest.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return Endpoint{host, std::string(rest.substr(colon + 1))};
}

}  // namespace

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

StatusOr<nlohmann::json> ApiClient::Get(const std::string& path, const std::map<std::string, std::string>& query) {
  std::string target = path;
  char sep = '?';
  for (const auto& [k, v] : query) {
    if (v.empty()) continue;
    target += sep + PercentEncode(k) + "=" + PercentEncode(v);
    sep = '&';
  }
  return Send("GET", target, nullptr);
}

StatusOr<nlohmann::json> ApiClient::Post(const std::string& path, const nlohmann::json& body) {
  const std::string text = body.dump();
  return Send("POST", path, &text);
}

StatusOr<nlohmann::json> ApiClient::Put(const std::string& path, const nlohmann::json& body) {
  const std::string text = body.dump();
  return Send("PUT", path, &text);
}

StatusOr<std::pair<unsigned, std::string>> ApiClient::Exchange(const std::string& method, const std::string& target,
                                                               const std::string* body,
                                                               const std::string& content_type) {
  auto endpoint = ParseUrl(options_.url);
  if (!endpoint.ok()) return endpoint.status();
  try {
    boost::asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(options_.timeout);
    stream.connect(resolver.resolve(endpoint->host, endpoint->port));

    http::request<http::string_body> req(http::string_to_verb(method), target, 11);
    req.set(http::field::host, endpoint->host);
    req.set(http::field::user_agent, "augur-cli");
    req.set(http::field::accept, "application/json");
    if (!options_.bearer_token.empty()) req.set(http::field::authorization, "Bearer " + options_.bearer_token);
    if (body != nullptr) {
      req.set(http::field::content_type, content_type);
      req.body() = *body;
    }
    req.prepare_payload();
    http::write(stream, req);

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256u << 20);
    http::read(stream, buffer, parser);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return std::make_pair(parser.get().result_int(), std::move(parser.get().body()));
  } catch (const std::exception& e) {
    return Status::Unavailable("cannot reach augur at " + options_.url + ": " + e.what());
  }
}

namespace {

Status ErrorFor(unsigned code, const std::string& method, const std::string& target, const std::string& body) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  std::string message = json.is_object() && json.contains("error") && json["error"].is_string()
                            ? json["error"].get<std::string>()
                            : body.substr(0, 200);
  message = method + " " + target + ": HTTP " + std::to_string(code) + ": " + message;
  switch (code) {
    case 400: return Status::InvalidArgument(message);
    case 401: return Status::Unauthenticated(message + " (set --auth-token or AUGUR_AUTH_TOKEN)");
    case 404: return Status::NotFound(message);
    case 429: return Status::ResourceExhausted(message);
    default: return Status::Unavailable(message);
  }
}

}  // namespace

StatusOr<nlohmann::json> ApiClient::Send(const std::string& method, const std::string& target,
                                         const std::string* body) {
  auto answer = Exchange(method, target, body, "application/json");
  if (!answer.ok()) return answer.status();
  const auto& [code, text] = *answer;
  if (code < 200 || code >= 300) return ErrorFor(code, method, target, text);
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Status::Internal("the API answered " + method + " " + target + " with non-JSON");
  return json;
}

StatusOr<std::string> ApiClient::PostRaw(const std::string& path, const std::string& body,
                                         const std::string& content_type) {
  auto answer = Exchange("POST", path, &body, content_type);
  if (!answer.ok()) return answer.status();
  if (answer->first < 200 || answer->first >= 300) return ErrorFor(answer->first, "POST", path, answer->second);
  return std::move(answer->second);
}

}  // namespace augur::cli
