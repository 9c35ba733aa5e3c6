// Percent-decoding of URL paths and query strings.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace augur::http {

// "%2F" → "/"; in query strings (`plus_is_space`) also "+" → " ". A malformed
// escape is kept literally.
std::string PercentDecode(std::string_view text, bool plus_is_space = false);

// "a=1&b=x%20y" → {a: "1", b: "x y"}; the last value of a repeated key wins.
std::map<std::string, std::string> ParseQuery(std::string_view query);

}  // namespace augur::http
