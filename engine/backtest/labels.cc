#include "backtest/labels.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace churnwatch::backtest {
namespace {

std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) {
    while (!cell.empty() && (cell.back() == '\r' || cell.back() == ' ')) cell.pop_back();
    size_t start = cell.find_first_not_of(' ');
    out.push_back(start == std::string::npos ? "" : cell.substr(start));
  }
  if (!line.empty() && line.back() == ',') out.push_back("");
  return out;
}

Result<bool> ParseBool(const std::string& v) {
  if (v == "1" || v == "true" || v == "TRUE" || v == "True") return true;
  if (v == "0" || v == "false" || v == "FALSE" || v == "False") return false;
  return InvalidArgument("'" + v + "' is not 1/0/true/false");
}

}  // namespace

Result<DayKey> ParseDate(const std::string& t) {
  auto digits = [&](size_t from, size_t n) {
    for (size_t i = from; i < from + n; ++i)
      if (t[i] < '0' || t[i] > '9') return false;
    return true;
  };
  if (t.size() != 10 || t[4] != '-' || t[7] != '-' || !digits(0, 4) || !digits(5, 2) ||
      !digits(8, 2))
    return InvalidArgument("'" + t + "' is not a YYYY-MM-DD date");
  DayKey key = std::stoi(t.substr(0, 4)) * 10000 + std::stoi(t.substr(5, 2)) * 100 +
               std::stoi(t.substr(8, 2));
  int month = key / 100 % 100, day = key % 100;
  if (month < 1 || month > 12 || day < 1 ||
      Calendar::DayFromNumber(Calendar::DayNumber(key)) != key)
    return InvalidArgument("'" + t + "' is not a real date");
  return key;
}

std::string FormatDate(DayKey day) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", day / 10000, day / 100 % 100, day % 100);
  return buf;
}

Result<Labels> LoadLabels(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot open labels file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return ParseLabels(text.str(), path);
}

Result<Labels> ParseLabels(const std::string& text, const std::string& source) {
  Labels out;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  size_t columns = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto where = [&] { return source + ":" + std::to_string(line_no) + ": "; };
    auto cells = SplitCsv(line);
    if (columns == 0) {
      bool basic = cells.size() >= 3 && cells[0] == "account_id" && cells[1] == "churned" &&
                   cells[2] == "churn_date";
      bool partial = cells.size() == 6 && cells[3] == "product_line" && cells[4] == "dropped" &&
                     cells[5] == "drop_date";
      if (!basic || (cells.size() != 3 && !partial))
        return InvalidArgument(where() +
                               "header must be account_id,churned,churn_date (optionally "
                               "followed by product_line,dropped,drop_date)");
      columns = cells.size();
      continue;
    }
    if (cells.size() != columns)
      return InvalidArgument(where() + "expected " + std::to_string(columns) + " columns, found " +
                             std::to_string(cells.size()));
    if (cells[0].empty()) return InvalidArgument(where() + "account_id is empty");
    if (columns == 6 && !cells[3].empty()) {
      PartialChurnLabel p{cells[0], cells[3]};
      auto dropped = ParseBool(cells[4]);
      if (!dropped.ok()) return InvalidArgument(where() + "dropped: " + dropped.status().message());
      p.dropped = *dropped;
      if (!cells[5].empty()) {
        auto d = ParseDate(cells[5]);
        if (!d.ok()) return InvalidArgument(where() + "drop_date: " + d.status().message());
        p.drop_date = *d;
      }
      if (p.dropped && !p.drop_date)
        return InvalidArgument(where() + "a dropped product line needs a drop_date");
      out.partial.push_back(std::move(p));
      continue;
    }
    AccountLabel label;
    auto churned = ParseBool(cells[1]);
    if (!churned.ok()) return InvalidArgument(where() + "churned: " + churned.status().message());
    label.churned = *churned;
    if (!cells[2].empty()) {
      auto d = ParseDate(cells[2]);
      if (!d.ok()) return InvalidArgument(where() + "churn_date: " + d.status().message());
      label.churn_date = *d;
    }
    if (label.churned && !label.churn_date)
      return InvalidArgument(where() + "a churned account needs a churn_date");
    if (!out.accounts.emplace(cells[0], label).second)
      return InvalidArgument(where() + "account " + cells[0] + " is labelled twice");
  }
  if (columns == 0) return InvalidArgument(source + ": empty labels file (no header)");
  return out;
}

Labels DeriveLabels(const std::map<std::string, std::vector<int64_t>>& purchase_days,
                    const LabelRule& rule) {
  Labels out;
  for (const auto& [account, days] : purchase_days) {
    int in_calibration = 0;
    int64_t last_in_calibration = 0;
    bool after = false;
    for (int64_t d : days) {
      if (d <= rule.calibration_end) {
        ++in_calibration;
        last_in_calibration = d;
      } else if (!rule.observation_end || d <= *rule.observation_end) {
        after = true;
      }
    }
    if (in_calibration < rule.min_purchase_days) continue;
    AccountLabel label;
    label.churned = !after;
    if (label.churned) label.churn_date = Calendar::DayFromNumber(last_in_calibration);
    out.accounts.emplace(account, label);
  }
  return out;
}

std::string FormatLabelsCsv(const Labels& labels) {
  std::string out = "account_id,churned,churn_date\n";
  for (const auto& [account, label] : labels.accounts) {
    out += account + "," + (label.churned ? "1" : "0") + "," +
           (label.churn_date ? FormatDate(*label.churn_date) : "") + "\n";
  }
  return out;
}

}  // namespace churnwatch::backtest
