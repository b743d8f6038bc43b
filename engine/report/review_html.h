// RenderReviewHtml: a MonthlyReview (monthly_review.h) as one self-contained HTML document
// for the meeting: inline CSS and SVG charts, no scripts, no external resources (no fonts,
// images or links to load), so it opens offline, prints, and can be mailed. Every text from the
// engine (names, owners, evidence, ids) is HTML-escaped; numbers are the JSON's.
//
// Languages: zh-CN and en, for the headings, labels, tier/stage/signal names and dates (the
// values themselves are not translated).
//
// Thread-safety: pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

namespace churnwatch::report {

enum class ReviewLang { kZhCn, kEn };

// "zh-CN" or "en"; InvalidArgument "lang 'x' is not zh-CN or en" otherwise.
Result<ReviewLang> ParseReviewLang(std::string_view text);

std::string RenderReviewHtml(const nlohmann::json& review, ReviewLang lang);

}  // namespace churnwatch::report
