// CliTest: the fixture of tests that run the real churnwatch binary as a command line tool —
// a temporary directory, Run() keeping each run's stderr there, Write() for input files, and
// the check every input path needs: bad input exits 2 with a message naming the problem.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/child_process.h"
#include "support/temp_dir.h"

namespace churnwatch::test {

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // `churnwatch ARGS...` (the binary ctest names in CHURNWATCH_BIN), killed after `timeout`.
  CommandResult Run(const std::vector<std::string>& args,
                    std::chrono::seconds timeout = std::chrono::seconds(300));
  // Writes `text` to `name` in the temporary directory; returns its path.
  std::string Write(const std::string& name, const std::string& text);
  // Exit 2 and `needle` in stderr; with `one_line`, stderr is that one line and nothing else.
  void ExpectUsageError(const CommandResult& r, const std::string& needle, bool one_line = false);

  TempDir dir_;
  std::string bin_;

 private:
  int runs_ = 0;
};

}  // namespace churnwatch::test
