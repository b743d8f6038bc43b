// RuleEvaluator: a RuleSet compiled for evaluation — one muParser instance per rule bound to
// a feature vector, and compiled annotation templates.
//
// Thread-safety: none (muParser instances are stateful). Each task thread compiles its own
// evaluator from the shared immutable RuleSet.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "features/features.h"
#include "rules/rule.h"
#include "rules/text_template.h"

namespace mu {
class Parser;
}

namespace churnwatch::rules {

class RuleEvaluator {
 public:
  // Internal when a rule that passed loading does not compile (a bug).
  static Result<std::unique_ptr<RuleEvaluator>> Compile(std::shared_ptr<const RuleSet> set);
  ~RuleEvaluator();

  const RuleSet& set() const { return *set_; }
  const std::shared_ptr<const RuleSet>& shared_set() const { return set_; }
  // Indexes of set().rules in order of rule id: lets a caller match the rules with records
  // sorted by rule id in one merge.
  const std::vector<size_t>& rules_by_id() const { return by_id_; }

  // Whether rule i's condition holds for these feature values (its tier filter aside).
  // True means the expression is finite and non-zero: NaN (missing data) never fires.
  bool Holds(size_t i, const features::FeatureValues& values);

  // Rule i's annotation `key` (summary, description, action) in `language` ("zh-CN", "en"),
  // rendered over the values; "" when the rule has no such annotation.
  std::string Annotation(size_t i, const std::string& key, const std::string& language,
                         const features::FeatureValues& values, const std::string& severity) const;

 private:
  RuleEvaluator() = default;
  struct Compiled;
  std::shared_ptr<const RuleSet> set_;
  std::vector<double> vars_;  // bound to every parser; refreshed per Holds() call
  std::vector<std::unique_ptr<Compiled>> rules_;
  std::vector<size_t> by_id_;
};

}  // namespace churnwatch::rules
