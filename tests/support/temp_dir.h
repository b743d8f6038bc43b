// TempDir: a fresh directory (mkdtemp under $TMPDIR or /tmp), removed with everything in it
// when the object goes out of scope. Every integration test keeps its state dirs, NDJSON files
// and child stderr logs in one, so tests can run in parallel and leave nothing behind.
#pragma once

#include <string>

namespace churnwatch::test {

class TempDir {
 public:
  // Fails the current test (ADD_FAILURE) if the directory can not be created.
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/name (not created).
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes `content` to `path`; false (and ADD_FAILURE) on error.
bool WriteFile(const std::string& path, const std::string& content);
// The whole file, or "" if it can not be read.
std::string ReadFile(const std::string& path);

}  // namespace churnwatch::test
