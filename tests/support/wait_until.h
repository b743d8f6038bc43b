// WaitUntil: the only way integration tests wait. Polls a condition every 75 ms until it holds
// or the timeout passes; never sleeps as a substitute for synchronisation.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>

namespace churnwatch::test {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

inline Deadline DeadlineIn(std::chrono::milliseconds d) { return Clock::now() + d; }

// Success as soon as `condition` returns true; failure naming `what` and the timeout otherwise.
// `condition` is called at least once.
::testing::AssertionResult WaitUntil(const std::function<bool()>& condition,
                                     std::chrono::milliseconds timeout, const std::string& what);

}  // namespace churnwatch::test
