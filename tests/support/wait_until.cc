#include "support/wait_until.h"

#include <thread>

namespace churnwatch::test {

::testing::AssertionResult WaitUntil(const std::function<bool()>& condition,
                                     std::chrono::milliseconds timeout, const std::string& what) {
  Deadline deadline = Clock::now() + timeout;
  while (true) {
    if (condition()) return ::testing::AssertionSuccess();
    if (Clock::now() >= deadline) {
      return ::testing::AssertionFailure()
             << "timed out after " << timeout.count() << " ms waiting for: " << what;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(75));  // poll interval, not a sync
  }
}

}  // namespace churnwatch::test
