#include "support/demo_suite.h"

#include <chrono>

#include "support/wait_until.h"

namespace churnwatch::test {

std::unique_ptr<::testing::AssertionResult> DemoSuite::setup_;
std::unique_ptr<TempDir> DemoSuite::dir_;
std::unique_ptr<DemoProcess> DemoSuite::demo_;

void DemoSuite::StartDemo(const std::vector<std::string>& args, const std::function<bool()>& ready,
                          const std::string& what, const std::map<std::string, std::string>& env) {
  dir_ = std::make_unique<TempDir>();
  demo_ = std::make_unique<DemoProcess>();
  auto started = demo_->Start(dir_->Sub("demo.log"), args, env);
  setup_ = std::make_unique<::testing::AssertionResult>(
      started ? WaitUntil(ready, std::chrono::minutes(2), what) : started);
}

void DemoSuite::StopDemo() {
  demo_.reset();
  dir_.reset();
  setup_.reset();
}

}  // namespace churnwatch::test
