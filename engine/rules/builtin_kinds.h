// Built-in rule kinds: one per loss signal of domain.md, each a parameterised expression over
// features with default evidence. A rule with `kind: K` and `params: {...}` is exactly the
// rule with `expr: <K's template with the params filled in>`; `churnwatch rules check
// --explain` prints the expansion, so nothing about a kind is hidden.
#pragma once

#include <map>
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

// Fills ${param} in the kind's template with `params` (defaults for the missing ones).
// InvalidArgument names an unknown parameter.
Result<std::string> ExpandKind(const BuiltinKind& kind,
                               const std::map<std::string, double>& params);

}  // namespace churnwatch::rules
