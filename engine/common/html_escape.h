// HtmlEscape: text from users and upstream systems made safe for HTML documents the engine
// writes (backtest and monthly review reports).
//
// Thread-safety: pure.
#pragma once

#include <string>
#include <string_view>

namespace churnwatch {

// `&<>"'` as entities: safe in element content and in quoted attribute values.
std::string HtmlEscape(std::string_view text);

}  // namespace churnwatch
