// `churnwatch report`: the monthly key-account review of a running engine (engine/report), as
// self-contained HTML (zh-CN or en), that HTML printed to PDF, or the contract's JSON.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "common/calendar.h"
#include "report/engine_snapshot.h"
#include "report/monthly_review.h"
#include "report/pdf_printer.h"
#include "report/review_html.h"

namespace churnwatch::cli {
namespace {

struct ReportOptions {
  std::string month, engine, format = "html", lang = "zh-CN", out, time_zone = "Asia/Shanghai";
  std::string token_file, state_dir, chromium;
};

int RunReport(const ReportOptions& o) {
  const std::string cmd = "report";
  auto month = report::ParseMonth(o.month);
  // The parsers name the value as the API's parameters do; the command line's flags have "--".
  if (!month.ok()) return Fail(cmd, InvalidArgument("--" + month.status().message()));
  if (o.format != "html" && o.format != "json" && o.format != "pdf")
    return Fail(cmd, InvalidArgument("--format '" + o.format + "' is not html, json or pdf"));
  if (o.format == "pdf" && o.out.empty())
    return Fail(cmd, InvalidArgument("--format pdf needs --out FILE"));
  const std::string chromium = o.chromium.empty() ? report::FindChromium() : o.chromium;
  if (o.format == "pdf") {
    if (Status s = report::CheckChromium(chromium); !s.ok())
      return Fail(cmd, Status(s.code(), "--format pdf: " + s.message()));
  }
  auto lang = report::ParseReviewLang(o.lang);
  if (!lang.ok()) return Fail(cmd, InvalidArgument("--" + lang.status().message()));
  if (!o.state_dir.empty())
    return Fail(cmd, InvalidArgument("--state-dir is not supported yet: give --engine "
                                     "http://HOST:PORT of the engine that owns the directory"));
  if (o.engine.empty()) return Fail(cmd, InvalidArgument("--engine http://HOST:PORT is required"));
  auto endpoint = report::ParseEngineUrl(o.engine);
  if (!endpoint.ok()) return Fail(cmd, endpoint.status());
  auto calendar = Calendar::Load(o.time_zone);
  if (!calendar.ok())
    return Fail(cmd, InvalidArgument("--time-zone: " + calendar.status().message()));
  if (!o.token_file.empty()) {
    std::ifstream in(o.token_file);
    if (!in) return Fail(cmd, NotFound("--http-token-file: cannot open " + o.token_file));
    std::getline(in, endpoint->token);
  } else if (const char* token = std::getenv("CHURNWATCH_HTTP_TOKEN")) {
    endpoint->token = token;
  }
  auto snapshot = report::FetchEngineSnapshot(*endpoint);
  if (!snapshot.ok()) return Fail(cmd, snapshot.status());
  nlohmann::json review = report::BuildMonthlyReview(*snapshot, *month, *calendar);
  std::string body =
      o.format == "json" ? review.dump(2) + "\n" : report::RenderReviewHtml(review, *lang);
  Status written =
      o.format == "pdf" ? report::PrintHtmlToPdf(body, o.out, chromium) : WriteOutput(o.out, body);
  if (!written.ok()) return Fail(cmd, written);
  std::cerr << "report: " << review["month"].get<std::string>() << ", " << snapshot->accounts.size()
            << " accounts, " << review["at_risk"].size() << " at risk, "
            << review["alerts"]["raised"].get<int64_t>() << " alerts raised"
            << (o.out.empty() ? "" : " -> " + o.out) << std::endl;
  return kExitOk;
}

}  // namespace

void AddReportCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<ReportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "The monthly key-account review of a running engine, read through its HTTP API: portfolio "
      "by tier\nand stage, health distribution, accounts that entered and left the at-risk list "
      "(evidence,\nowner), alerts raised/resolved/acknowledged/escalated, response times against "
      "the 24-hour rule\nper owner, volume by product line per quarter. HTML is one "
      "self-contained file (inline SVG, no\nscripts, no outside resources); JSON is the "
      "contract's form.");
  cmd->add_option("--month", opts->month, "YYYY-MM, a local month of --time-zone")->required();
  cmd->add_option("--engine", opts->engine, "http://HOST:PORT of the engine's HTTP API");
  cmd->add_option("--state-dir", opts->state_dir,
                  "Not supported yet (a state directory opened read-only); use --engine");
  cmd->add_option("--format", opts->format,
                  "html, json or pdf (the HTML printed by headless Chromium; needs --out)")
      ->default_val("html");
  cmd->add_option("--lang", opts->lang, "zh-CN or en (HTML, PDF)")->default_val("zh-CN");
  cmd->add_option("--chromium", opts->chromium,
                  "Chromium for --format pdf (default: chromium, chromium-browser or "
                  "google-chrome on PATH)");
  cmd->add_option("--time-zone", opts->time_zone,
                  "Zone of the month's boundaries (the engine's, default Asia/Shanghai)")
      ->default_val("Asia/Shanghai");
  cmd->add_option("--http-token-file", opts->token_file,
                  "File holding the engine's http.token, for engines that require it for reads "
                  "(else $CHURNWATCH_HTTP_TOKEN)");
  cmd->add_option("--out", opts->out, "Write the report here; default stdout");
  cmd->callback([opts, exit_code] { *exit_code = RunReport(*opts); });
}

}  // namespace churnwatch::cli
