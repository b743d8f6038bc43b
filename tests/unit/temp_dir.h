// TempDir: a fresh directory under testing::TempDir(), removed with everything in it when the
// object goes out of scope. Keeps state-store tests hermetic and independent of each other.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace churnwatch::testutil {

class TempDir {
 public:
  TempDir() {
    std::string templ = testing::TempDir() + "churnwatch_unit_XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp(" << templ << ") failed";
    }
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace churnwatch::testutil
