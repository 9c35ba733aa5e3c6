// The small rules the log analyzer applies to one line or one template:
// severity from a record, error keywords in a template, HTTP status codes in
// a message. Pure functions over bytes (ASCII case rules; no regular
// expressions, no allocation), so the analyzer can call them on its hot path.
// Safe from any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace augur::logs {

// OTLP severity numbers (1..24), by range: TRACE 1-4, DEBUG 5-8, INFO 9-12,
// WARN 13-16, ERROR 17-20, FATAL 21-24. 0 is "unspecified".
inline constexpr uint8_t kSeverityDebug = 5;
inline constexpr uint8_t kSeverityInfo = 9;
inline constexpr uint8_t kSeverityWarn = 13;
inline constexpr uint8_t kSeverityError = 17;
inline constexpr uint8_t kSeverityFatal = 21;

// The record's severity number; when the sender set none, the one its
// severity text names (case-insensitive, by prefix): FATAL, CRITICAL, CRIT,
// EMERG, ALERT, PANIC → 21; ERROR, ERR, SEVERE → 17; WARN, WARNING → 13;
// INFO, NOTICE → 9; DEBUG, FINE → 5; TRACE, FINEST, FINER → 1. 0 otherwise.
uint8_t EffectiveSeverity(uint8_t severity_number, std::string_view severity_text);

// Error keywords, one bit each. A keyword is found in a word (a run of
// letters and digits; "_" and "-" split words too) that equals it, or ends
// with it where a capital letter starts it ("TypeError", "IOException",
// "ReadTimeout"), or in the listed forms ("timed out", "out of memory",
// "ECONNREFUSED"). A word preceded by "no", "not", "without" or "zero" does
// not count ("no errors").
enum Keyword : int {
  kKwError = 0,    // error, errors, ...Error
  kKwException,    // exception, exceptions, ...Exception, traceback, stacktrace
  kKwTimeout,      // timeout, timeouts, timed out, ETIMEDOUT, deadline exceeded
  kKwRefused,      // refused, ECONNREFUSED
  kKwFatal,        // fatal
  kKwPanic,        // panic, panicked
  kKwDenied,       // denied, forbidden, unauthorized
  kKwFailed,       // failed, failure, failures, fails
  kKwCrash,        // crash, crashed, CrashLoopBackOff, segfault, segmentation fault, SIGSEGV, core dumped
  kKwAbort,        // abort, aborted, aborting
  kKwUnavailable,  // unavailable, unreachable
  kKwOutOfMemory,  // out of memory, OOM, OOMKilled, OutOfMemoryError
  kKwKilled,       // killed
  kKwReset,        // ECONNRESET, reset by peer
  kKwDeadlock,     // deadlock, deadlocked
  kKeywordCount
};

// The keyword's name as shown in explanations and series ("timeout").
std::string_view KeywordName(int keyword);

// The keywords in `text` (a template or a message), as a bit mask over
// Keyword. "<*>" and other values never match.
uint32_t FindKeywords(std::string_view text);

// Could a message of this template carry an HTTP status code? True when
// FindHttpStatus finds one in the template with a code in place of each
// value ("GET <*> HTTP/1.1" <*>", "status=<*>"). Decided once per template,
// so FindHttpStatus runs only on the lines that may hold a code.
bool MayHoldHttpStatus(std::string_view template_text);

// The first HTTP status code (100..599) in `message`, or 0. A three-digit
// number counts only where a status code is written:
//   - after a key: status=503, status_code:503, "status":503, code=503,
//     http.status_code=503, http.response.status_code=503;
//   - after "HTTP/1.1" (optionally quoted, as in access logs: "GET / HTTP/1.1"
//     503 12), "HTTP", "status", "status:", "code", "returned", "response";
//   - before a reason phrase: "503 Service Unavailable", "500 Internal ...".
// So "took 503 ms" or "port 404" are not codes.
int FindHttpStatus(std::string_view message);

// A status code from an attribute value ("503" or 503), or 0.
int HttpStatusFromInt(int64_t value);

}  // namespace augur::logs
