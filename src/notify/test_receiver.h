// Test helpers: a local HTTP(S) receiver of notifications (augur's own
// http::Server on port 0) that records what it gets and answers what the
// test tells it to, and a self-signed certificate made with OpenSSL.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"
#include "selfmon/metrics.h"

namespace augur::notify::testing {

struct Received {
  std::string path;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string Header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return "";
  }
};

// Answers every POST with answer(request, n) where n counts the requests
// to that path so far (0-based); status 0 means "never answer" (until the
// receiver is destroyed).
class Receiver {
 public:
  using Answer = std::function<http::Response(const Received&, size_t n)>;

  explicit Receiver(std::string cert_file = "", std::string key_file = "") {
    http::ServerOptions options;
    options.name = "receiver";
    options.address = "127.0.0.1:0";
    options.tls_cert_file = std::move(cert_file);
    options.tls_key_file = std::move(key_file);
    options.read_timeout = std::chrono::seconds(30);
    server_ = std::make_unique<http::Server>(options, &metrics_);
    for (const char* path : {"/hook", "/slack"}) {
      server_->Route("POST", path, [this](http::Request& request, http::Reply reply) { Handle(request, reply); });
    }
    start_status_ = server_->Start();
  }

  ~Receiver() {
    std::vector<http::Reply> hanging;
    {
      std::lock_guard lock(mu_);
      hanging.swap(hanging_);
    }
    for (auto& reply : hanging) reply(http::Response{503, "text/plain", "bye", {}});
    server_->Stop();
  }

  const Status& start_status() const { return start_status_; }
  std::string Url(const std::string& path, const std::string& host = "127.0.0.1") const {
    return std::string(tls_ ? "https" : "http") + "://" + host + ":" +
           std::to_string(server_->local_endpoint().port()) + path;
  }
  void set_tls(bool tls) { tls_ = tls; }

  void SetAnswer(Answer answer) {
    std::lock_guard lock(mu_);
    answer_ = std::move(answer);
  }

  std::vector<Received> Got() {
    std::lock_guard lock(mu_);
    return got_;
  }

  // Waits until `n` requests arrived, at most `timeout`; returns them.
  std::vector<Received> WaitFor(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return got_.size() >= n; });
    return got_;
  }

 private:
  void Handle(http::Request& request, http::Reply reply) {
    Received r{request.path, request.body, request.headers};
    http::Response response;
    {
      std::lock_guard lock(mu_);
      size_t n = 0;
      for (const auto& g : got_) n += g.path == r.path;
      response = answer_ ? answer_(r, n) : http::Response{200, "text/plain", "ok", {}};
      got_.push_back(r);
      if (response.status == 0) hanging_.push_back(reply);
    }
    cv_.notify_all();
    if (response.status != 0) reply(std::move(response));
  }

  selfmon::Registry metrics_;
  std::unique_ptr<http::Server> server_;
  Status start_status_;
  bool tls_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  Answer answer_;
  std::vector<Received> got_;
  std::vector<http::Reply> hanging_;
};

// Writes a self-signed certificate for DNS:localhost (only) and its key as
// PEM files; false when OpenSSL fails.
inline bool MakeSelfSignedCert(const std::string& cert_file, const std::string& key_file) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) return false;
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  bool ok = true;
  for (const auto& [nid, value] :
       {std::pair{NID_subject_alt_name, "DNS:localhost"}, std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    ok = ok && ext != nullptr && X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
  }
  ok = ok && X509_sign(cert, key, EVP_sha256()) > 0;
  FILE* c = ok ? std::fopen(cert_file.c_str(), "w") : nullptr;
  FILE* k = ok ? std::fopen(key_file.c_str(), "w") : nullptr;
  ok = c != nullptr && k != nullptr && PEM_write_X509(c, cert) == 1 &&
       PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  if (c != nullptr) std::fclose(c);
  if (k != nullptr) std::fclose(k);
  X509_free(cert);
  EVP_PKEY_free(key);
  return ok;
}

}  // namespace augur::notify::testing
