#include "rules/rule_evaluator.h"

#include <muParser.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace churnwatch::rules {

struct RuleEvaluator::Compiled {
  mu::Parser parser;
  std::map<std::string, std::map<std::string, TextTemplate>>
      annotations;  // key → language → template
};

RuleEvaluator::~RuleEvaluator() = default;

Result<std::unique_ptr<RuleEvaluator>> RuleEvaluator::Compile(std::shared_ptr<const RuleSet> set) {
  std::unique_ptr<RuleEvaluator> ev(new RuleEvaluator());
  ev->set_ = std::move(set);
  const auto& catalog = features::FeatureCatalog();
  ev->vars_.assign(catalog.size(), 0.0);
  for (const Rule& rule : ev->set_->rules) {
    auto c = std::make_unique<Compiled>();
    try {
      for (size_t i = 0; i < catalog.size(); ++i)
        c->parser.DefineVar(catalog[i].name, &ev->vars_[i]);
      c->parser.SetExpr(rule.expr);
      c->parser.Eval();  // parse now, so a bad expression fails here and not mid-stream
    } catch (const mu::Parser::exception_type& e) {
      return Internal("rule " + rule.id + ": expr does not compile: " + e.GetMsg());
    }
    for (const auto& [key, texts] : rule.annotations) {
      for (const auto& [lang, text] : texts) {
        auto t = TextTemplate::Compile(text);
        if (!t.ok()) return Internal("rule " + rule.id + ": " + t.status().message());
        c->annotations[key].emplace(lang, std::move(*t));
      }
    }
    ev->rules_.push_back(std::move(c));
  }
  ev->by_id_.resize(ev->set_->rules.size());
  for (size_t i = 0; i < ev->by_id_.size(); ++i) ev->by_id_[i] = i;
  std::sort(ev->by_id_.begin(), ev->by_id_.end(),
            [&](size_t a, size_t b) { return ev->set_->rules[a].id < ev->set_->rules[b].id; });
  return ev;
}

bool RuleEvaluator::Holds(size_t i, const features::FeatureValues& values) {
  std::copy(values.numbers.begin(), values.numbers.end(), vars_.begin());
  double v;
  try {
    v = rules_[i]->parser.Eval();
  } catch (const mu::Parser::exception_type&) {
    return false;  // compiled at load; evaluation errors (none known) count as "does not hold"
  }
  return std::isfinite(v) && v != 0;
}

std::string RuleEvaluator::Annotation(size_t i, const std::string& key, const std::string& language,
                                      const features::FeatureValues& values,
                                      const std::string& severity) const {
  auto k = rules_[i]->annotations.find(key);
  if (k == rules_[i]->annotations.end()) return "";
  auto l = k->second.find(language);
  if (l == k->second.end()) l = k->second.begin();
  return l->second.Render(values, set_->rules[i].id, severity);
}

}  // namespace churnwatch::rules
