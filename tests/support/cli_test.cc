#include "support/cli_test.h"

#include <algorithm>

#include "support/churnwatch_processes.h"

namespace churnwatch::test {

void CliTest::SetUp() {
  bin_ = ChurnwatchBin();
  ASSERT_FALSE(bin_.empty()) << "CHURNWATCH_BIN is set by ctest";
}

CommandResult CliTest::Run(const std::vector<std::string>& args, std::chrono::seconds timeout) {
  return RunCommand(bin_, args, dir_.Sub("stderr-" + std::to_string(++runs_) + ".log"), timeout);
}

std::string CliTest::Write(const std::string& name, const std::string& text) {
  EXPECT_TRUE(WriteFile(dir_.Sub(name), text)) << name;
  return dir_.Sub(name);
}

void CliTest::ExpectUsageError(const CommandResult& r, const std::string& needle, bool one_line) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  if (one_line) {
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  EXPECT_NE(r.err.find(needle), std::string::npos) << "want '" << needle << "' in: " << r.err;
}

}  // namespace churnwatch::test
