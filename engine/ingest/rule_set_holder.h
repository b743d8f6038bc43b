// RuleSetHolder: the rule set currently in force, swapped atomically on reload, plus what the
// last reload attempt said. Readers take a shared_ptr and keep a consistent set for as long
// as they hold it.
//
// Thread-safety: all methods are thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rules/rule.h"

namespace churnwatch::ingest {

struct ReloadReport {
  bool ok = true;
  int64_t at_us = 0;
  std::vector<std::string> problems;  // "file:line: message"
};

class RuleSetHolder {
 public:
  explicit RuleSetHolder(std::shared_ptr<const rules::RuleSet> initial)
      : set_(std::move(initial)) {}

  std::shared_ptr<const rules::RuleSet> Get() const {
    std::lock_guard lock(mu_);
    return set_;
  }
  void Set(std::shared_ptr<const rules::RuleSet> set, ReloadReport report) {
    std::lock_guard lock(mu_);
    set_ = std::move(set);
    report_ = std::move(report);
  }
  // Records a failed reload; the current set stays.
  void Reject(ReloadReport report) {
    std::lock_guard lock(mu_);
    report_ = std::move(report);
  }
  ReloadReport last_reload() const {
    std::lock_guard lock(mu_);
    return report_;
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const rules::RuleSet> set_;
  ReloadReport report_;
};

}  // namespace churnwatch::ingest
