#include "support/account_compare.h"

#include <gtest/gtest.h>

namespace churnwatch::test {

using nlohmann::json;

std::map<std::string, json> AllAccounts(const EngineProcess& engine,
                                        const std::vector<std::string>& ids) {
  std::map<std::string, json> out;
  for (const auto& id : ids) {
    HttpResponse r = engine.Get("/api/v1/accounts/" + id);
    out[id] = r.status == 200 ? json::parse(r.body, nullptr, false)
                              : json{{"status", r.status}, {"body", r.body}};
  }
  return out;
}

int CompareAccounts(const std::map<std::string, json>& expected,
                    const std::map<std::string, json>& actual, const std::string& what) {
  int mismatches = 0;
  for (const std::string part : {"state", "alerts"}) {
    int part_mismatches = 0;
    for (const auto& [id, want_all] : expected) {
      auto it = actual.find(id);
      json got_all = it == actual.end() ? json() : it->second;
      json want = want_all, got = got_all;
      if (part == "state") {
        if (want.is_object()) want.erase("alerts");
        if (got.is_object()) got.erase("alerts");
      } else {
        want = want_all.is_object() ? want_all.value("alerts", json()) : json();
        got = got_all.is_object() ? got_all.value("alerts", json()) : json();
      }
      if (got != want && ++part_mismatches <= 3) {
        ADD_FAILURE() << what << ": account " << id << ": " << part
                      << " differs from the uninterrupted run; JSON patch from expected to "
                         "actual:\n"
                      << json::diff(want, got).dump(1);
      }
    }
    EXPECT_EQ(part_mismatches, 0) << what << ": accounts whose " << part << " differs";
    mismatches += part_mismatches;
  }
  return mismatches;
}

}  // namespace churnwatch::test
