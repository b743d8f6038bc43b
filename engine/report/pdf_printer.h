// PrintHtmlToPdf: a self-contained HTML document printed to PDF by headless Chromium (the
// browser the dashboard tests already use), for `churnwatch report --format pdf`.
//
// Runs `CHROMIUM --headless --no-sandbox --disable-gpu --no-pdf-header-footer
// --print-to-pdf=OUT file://TMP.html` on a temporary copy of the document, with stdin, stdout
// and stderr on /dev/null, and waits at most `timeout_seconds`. The document must not need the
// network (the review's pages do not).
//
// Thread-safety: reentrant (each call has its own temporary file and child process).
#pragma once

#include <string>

#include "common/status.h"

namespace churnwatch::report {

// The first of chromium, chromium-browser, google-chrome, google-chrome-stable on PATH; "" when
// none is.
std::string FindChromium();

// OK when `chromium` names an executable; NotFound otherwise (install Debian's `chromium` or
// pass its path). For checking a flag before doing the work.
Status CheckChromium(const std::string& chromium);

// OK: `pdf_path` holds the PDF. CheckChromium's NotFound; Internal when it exits non-zero or leaves
// no PDF behind; Unavailable when it runs longer than `timeout_seconds` (it is killed); IoError
// when the temporary file cannot be written.
Status PrintHtmlToPdf(const std::string& html, const std::string& pdf_path,
                      const std::string& chromium, int timeout_seconds = 120);

}  // namespace churnwatch::report
