// Lower-case hex encoding of ids (trace and span ids are hex on every surface).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace augur {

std::string HexEncode(std::span<const uint8_t> bytes);

// Accepts upper or lower case. nullopt when the text has an odd length or a non-hex digit.
std::optional<std::vector<uint8_t>> HexDecode(std::string_view text);

}  // namespace augur
