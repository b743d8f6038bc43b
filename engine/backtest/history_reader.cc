#include "backtest/history_reader.h"

#include <filesystem>

#include "events/event_decoder.h"

namespace churnwatch::backtest {
namespace {

namespace fs = std::filesystem;

// The topic a file name implies: its stem (without .ndjson/.jsonl/.json) is a topic name or
// ends in -TOPIC, _TOPIC or .TOPIC.
std::optional<EventKind> KindFromFileName(const fs::path& path) {
  std::string stem = path.filename().string();
  for (const char* ext : {".ndjson", ".jsonl", ".json"}) {
    std::string e = ext;
    if (stem.size() > e.size() && stem.compare(stem.size() - e.size(), e.size(), e) == 0) {
      stem.resize(stem.size() - e.size());
      break;
    }
  }
  for (int i = 0; i < kEventKindCount; ++i) {
    auto kind = static_cast<EventKind>(i);
    std::string topic = EventKindName(kind);
    if (stem == topic) return kind;
    if (stem.size() > topic.size() &&
        stem.compare(stem.size() - topic.size(), topic.size(), topic) == 0) {
      char sep = stem[stem.size() - topic.size() - 1];
      if (sep == '-' || sep == '_' || sep == '.') return kind;
    }
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<HistoryInput>> ResolveHistoryInputs(const std::vector<std::string>& args) {
  std::vector<HistoryInput> out;
  for (const auto& arg : args) {
    auto colon = arg.find(':');
    if (colon != std::string::npos) {
      auto kind = EventKindFromName(arg.substr(0, colon));
      if (kind.ok()) {
        std::string path = arg.substr(colon + 1);
        if (!fs::is_regular_file(path)) return NotFound("--events " + arg + ": no such file");
        out.push_back({path, *kind});
        continue;
      }
    }
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      std::vector<HistoryInput> found;
      for (const auto& entry : fs::directory_iterator(arg, ec)) {
        if (!entry.is_regular_file()) continue;
        auto kind = KindFromFileName(entry.path());
        if (kind) found.push_back({entry.path().string(), *kind});
      }
      if (found.empty())
        return InvalidArgument("--events " + arg +
                               ": no orders/service/contacts/accounts .ndjson files in it");
      // Directory order is arbitrary; a fixed order keeps ties between files reproducible.
      std::sort(found.begin(), found.end(),
                [](const HistoryInput& a, const HistoryInput& b) { return a.path < b.path; });
      out.insert(out.end(), found.begin(), found.end());
      continue;
    }
    if (!fs::is_regular_file(arg, ec)) return NotFound("--events " + arg + ": no such file");
    auto kind = KindFromFileName(arg);
    if (!kind)
      return InvalidArgument("--events " + arg +
                             ": cannot tell its topic; name it orders.ndjson (or *-orders.ndjson) "
                             "or pass orders:" +
                             arg);
    out.push_back({arg, *kind});
  }
  if (out.empty()) return InvalidArgument("--events: no input files");
  return out;
}

struct HistoryReader::Cursor {
  HistoryInput input;
  std::ifstream in;
  int64_t line_no = 0;
  UnixMicros last_time = INT64_MIN;
  bool has_pending = false;
  HistoryEvent pending;
};

HistoryReader::HistoryReader() : decoder_(std::make_unique<EventDecoder>()) {}
HistoryReader::~HistoryReader() = default;

Result<std::unique_ptr<HistoryReader>> HistoryReader::Open(
    const std::vector<HistoryInput>& inputs) {
  std::unique_ptr<HistoryReader> r(new HistoryReader());
  for (const auto& input : inputs) {
    auto c = std::make_unique<Cursor>();
    c->input = input;
    c->in.open(input.path, std::ios::binary);
    if (!c->in) return NotFound("cannot open " + input.path);
    std::error_code ec;
    r->total_bytes_ += fs::file_size(input.path, ec);
    r->cursors_.push_back(std::move(c));
  }
  for (auto& c : r->cursors_) c->has_pending = r->Advance(*c);
  return r;
}

bool HistoryReader::Advance(Cursor& c) {
  std::string line;
  while (std::getline(c.in, line)) {
    ++c.line_no;
    bytes_read_ += line.size() + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    HistoryEvent& e = c.pending;
    e.kind = c.input.kind;
    e.where = c.input.path + ":" + std::to_string(c.line_no);
    e.event.emplace();
    e.rejection = decoder_->Decode(c.input.kind, PayloadFormat::kJson, line, &*e.event);
    if (e.rejection) {
      e.event.reset();
      e.occurred_at = c.last_time == INT64_MIN ? 0 : c.last_time;
    } else {
      e.occurred_at = e.event->occurred_at();
      c.last_time = e.occurred_at;
    }
    e.payload = std::move(line);
    return true;
  }
  return false;
}

Result<bool> HistoryReader::Next(HistoryEvent* out) {
  Cursor* best = nullptr;
  for (auto& c : cursors_) {
    if (c->has_pending && (best == nullptr || c->pending.occurred_at < best->pending.occurred_at))
      best = c.get();
  }
  if (best == nullptr) {
    for (auto& c : cursors_) {
      if (c->in.bad()) return IoError("cannot read " + c->input.path);
    }
    return false;
  }
  *out = std::move(best->pending);
  best->has_pending = Advance(*best);
  return true;
}

}  // namespace churnwatch::backtest
