// Whole-account comparisons between two engines fed the same input: the proof, in the crash
// and offset-gap suites, that an interrupted or faulted engine ends in exactly the state of an
// uninterrupted one.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/churnwatch_processes.h"

namespace churnwatch::test {

// GET /api/v1/accounts/{id} for every id: the parsed body, or {status, body} when not 200.
std::map<std::string, nlohmann::json> AllAccounts(const EngineProcess& engine,
                                                  const std::vector<std::string>& ids);

// Compares every account, first its ingested state (everything but alerts), then its alerts,
// so a failure says which of the two diverged. Adds a gtest failure with a JSON patch for the
// first three accounts of each part that differ; returns how many differ in all.
int CompareAccounts(const std::map<std::string, nlohmann::json>& expected,
                    const std::map<std::string, nlohmann::json>& actual, const std::string& what);

}  // namespace churnwatch::test
