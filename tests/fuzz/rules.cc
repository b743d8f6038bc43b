// Fuzz target rules: a rule file (YAML) through the rule loader — YAML parsing, built-in kinds
// and their parameters, muParser expressions, annotation templates. Every problem must be
// reported (never thrown); a file that loads must compile (RuleEvaluator) and evaluate and
// render its annotations over all-known and all-missing (NaN) features without failing.
#include <cmath>
#include <memory>
#include <string>

#include "features/features.h"
#include "fuzz_target.h"
#include "rules/rule_evaluator.h"
#include "rules/rule_loader.h"

namespace churnwatch::fuzz {
namespace {

features::FeatureValues Values(double number) {
  features::FeatureValues v;
  v.numbers.assign(features::FeatureCatalog().size(), number);
  // A moved std::string, not `= "x"`: gcc 12 -O2 reports a false -Wrestrict for the latter.
  for (const auto& name : features::TextFieldNames())
    v.text.insert_or_assign(name, std::string(1, 'x'));
  return v;
}

}  // namespace

int FuzzOne(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto loaded = rules::LoadRulesText(text, "fuzz.yaml");
  if (!loaded.problems.empty()) {
    for (const auto& p : loaded.problems) Check(!p.message.empty(), "a problem without message");
    return 0;
  }
  auto set = std::make_shared<const rules::RuleSet>(std::move(loaded.set));
  auto evaluator = rules::RuleEvaluator::Compile(set);
  Check(evaluator.ok(), "a rule file that loaded does not compile");
  for (double number : {1.0, 0.0, std::nan("")}) {
    const auto values = Values(number);
    for (size_t i = 0; i < set->rules.size(); ++i) {
      bool holds = (*evaluator)->Holds(i, values);
      Check(!(holds && std::isnan(number)), "a rule fired on missing data");
      for (const char* key : {"summary", "description", "action"})
        for (const char* language : {"zh-CN", "en"})
          (void)(*evaluator)->Annotation(i, key, language, values, set->rules[i].severity);
    }
  }
  return 0;
}

}  // namespace churnwatch::fuzz
