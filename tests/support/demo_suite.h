// DemoSuite: a test suite sharing one `churnwatch demo` (embedded broker + generated accounts
// + engine + HTTP), started once in SetUpTestSuite because it takes seconds.
//
// gtest reports a failure inside SetUpTestSuite as every test *skipped* (and ctest as "not
// run", which passes): so the start result is remembered and each test's SetUp fails on it.
//
//   class MyTest : public DemoSuite {
//    protected:
//     static void SetUpTestSuite() { StartDemo({"--accounts", "40"}, [] { return ...; }, "x"); }
//     static void TearDownTestSuite() { StopDemo(); }
//   };
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/churnwatch_processes.h"
#include "support/temp_dir.h"

namespace churnwatch::test {

class DemoSuite : public ::testing::Test {
 protected:
  // Starts the demo with `args` (after `demo --http 127.0.0.1:0`) and `env` added to the
  // environment, then polls `ready` for up to two minutes (`what` names it in the failure).
  static void StartDemo(const std::vector<std::string>& args, const std::function<bool()>& ready,
                        const std::string& what,
                        const std::map<std::string, std::string>& env = {});
  static void StopDemo();
  void SetUp() override { ASSERT_TRUE(*setup_); }

  static DemoProcess& demo() { return *demo_; }
  static TempDir& dir() { return *dir_; }

 private:
  static std::unique_ptr<::testing::AssertionResult> setup_;
  static std::unique_ptr<TempDir> dir_;
  static std::unique_ptr<DemoProcess> demo_;
};

}  // namespace churnwatch::test
