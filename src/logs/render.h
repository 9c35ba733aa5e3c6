// Display form of value tokens, for template text. The miner compares
// shapes (masker.h), which are coarse on purpose; people (and the loghub
// ground truth) read finer forms that keep a value's words and punctuation:
// "blk_<*>" for "blk_-1608999687919862906", "<*>:<*>" for "10.0.0.1:50010",
// "/<*>" for "/10.251.42.84", "<*>.<*>" for "0.2477829", "attempt_<*>" for
// "attempt_1445144423722_0020_m_000002_0". Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

namespace augur::logs {

// Appends the display form of one value token (or of a collapsed run of
// tokens separated by spaces, rendered token by token).
void AppendRenderedValue(std::string_view raw, std::string* out);

}  // namespace augur::logs
