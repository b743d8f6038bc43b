#include "report/pdf_printer.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

extern char** environ;

namespace churnwatch::report {
namespace {

bool Executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

}  // namespace

std::string FindChromium() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (const char* name :
       {"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}) {
    size_t start = 0;
    while (start <= dirs.size()) {
      size_t end = dirs.find(':', start);
      if (end == std::string::npos) end = dirs.size();
      std::string candidate = dirs.substr(start, end - start) + "/" + name;
      if (end > start && Executable(candidate)) return candidate;
      start = end + 1;
    }
  }
  return "";
}

Status CheckChromium(const std::string& chromium) {
  if (chromium.empty() || !Executable(chromium))
    return NotFound("no headless Chromium" + (chromium.empty() ? "" : " at " + chromium) +
                    " (install Debian's chromium, or give --chromium PATH)");
  return Status::Ok();
}

Status PrintHtmlToPdf(const std::string& html, const std::string& pdf_path,
                      const std::string& chromium, int timeout_seconds) {
  CW_RETURN_IF_ERROR(CheckChromium(chromium));
  char tmp_dir[] = "/tmp/churnwatch-report-XXXXXX";
  if (mkdtemp(tmp_dir) == nullptr) return IoError("cannot create a temporary directory in /tmp");
  const std::string dir = tmp_dir, html_path = dir + "/review.html";
  // Chromium leaves its profile in the directory too; it is ours alone.
  auto cleanup = [&] {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  };
  {
    std::ofstream out(html_path, std::ios::binary);
    out << html;
    if (!out) {
      cleanup();
      return IoError("cannot write " + html_path);
    }
  }
  unlink(pdf_path.c_str());  // a PDF left from an earlier run must not pass for this one
  std::vector<std::string> args = {chromium,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--no-pdf-header-footer",
                                   "--user-data-dir=" + dir + "/profile",
                                   "--print-to-pdf=" + pdf_path,
                                   "file://" + html_path};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (int fd : {0, 1, 2}) posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_RDWR, 0);
  pid_t pid = -1;
  int spawned = posix_spawn(&pid, chromium.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    cleanup();
    return NotFound("cannot run " + chromium);
  }
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      cleanup();
      return Unavailable(chromium + " did not finish printing within " +
                         std::to_string(timeout_seconds) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  cleanup();
  struct stat st {};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return Internal(chromium + " failed to print the report (exit " +
                    std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128) + ")");
  if (stat(pdf_path.c_str(), &st) != 0 || st.st_size == 0)
    return Internal(chromium + " wrote no PDF to " + pdf_path);
  return Status::Ok();
}

}  // namespace churnwatch::report
