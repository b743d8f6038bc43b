// Replays files through the target's FuzzOne(), without libFuzzer: the ctest side of every fuzz
// target (tests/fuzz/CMakeLists.txt). Usage: <target>_replay DIR_OR_FILE...
// A directory contributes every regular file below it, in name order; a missing directory is
// skipped (a target need not have regressions yet). Exits 1 when nothing at all was replayed,
// so a wrong path cannot pass silently; a crash or broken invariant aborts (non-zero).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_target.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    fs::path p = argv[i];
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) {
      files.push_back(p);
    } else if (fs::is_directory(p, ec)) {
      for (const auto& e : fs::recursive_directory_iterator(p))
        if (e.is_regular_file()) files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::cerr << "cannot read " << f << "\n";
      return 1;
    }
    // A copy of exactly `size` bytes on the heap, so ASan sees reads past the end as libFuzzer
    // would.
    std::vector<uint8_t> data(bytes.begin(), bytes.end());
    churnwatch::fuzz::FuzzOne(data.data(), data.size());
  }
  if (files.empty()) {
    std::cerr << "no inputs found\n";
    return 1;
  }
  std::cout << "replayed " << files.size() << " inputs\n";
  return 0;
}
