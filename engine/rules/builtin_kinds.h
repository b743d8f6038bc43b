// Built-in rule kinds: one per loss signal of domain.md, each a parameterised expression over
// features with default evidence. A rule with `kind: K` and `params: {...}` is exactly the
// rule with `expr: <K's template with the params filled in>`; `churnwatch rules check
// --explain` prints the expansion, so nothing about a kind is hidden.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace churnwatch::rules {

struct BuiltinKind {
  std::string name;
  std::string signal;  // the `signal` label it implies
  std::string description;
  std::string expr_template;             // ${param} placeholders
  std::map<std::string, double> params;  // defaults
  std::vector<std::string> evidence;     // default evidence features
};

const std::vector<BuiltinKind>& BuiltinKinds();
const BuiltinKind* FindBuiltinKind(const std::string& name);

// A rule's value for one kind parameter: one number, or one per tier (YAML
// `threshold: {default: 70, strategic: 75}`). Tiers without their own value, and accounts whose
// tier is unknown, take `default_value` (the kind's default when the rule gives none).
struct KindParamValue {
  std::optional<double> default_value;
  std::map<std::string, double> by_tier;  // lower-case tier name (KnownTiers()) → value
};

// Fills ${param} in the kind's template with `params` (defaults for the missing ones). A
// per-tier value becomes a conditional on the `tier` feature (the Tier enum's number), e.g.
// `(tier == 1 ? 75 : 70)`, so `rules check --explain` shows exactly what is evaluated.
// InvalidArgument names an unknown parameter or tier.
Result<std::string> ExpandKind(const BuiltinKind& kind,
                               const std::map<std::string, KindParamValue>& params);

}  // namespace churnwatch::rules
