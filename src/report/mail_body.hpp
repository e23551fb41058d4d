// The report as a mail: a plain-text part and an HTML part that common mail clients render
// (tables with inline styles, the key charts as <img src="cid:...">). The PNGs themselves are
// made by the caller (report/png) and passed in.
#pragma once

#include <map>
#include <string>

#include "report/model.hpp"

namespace dicomlake::report {

struct MailBody {
    std::string subject;
    std::string text;
    std::string html;
};

// `png_by_chart_id`: the rendered key charts; a key chart without a PNG is left out of the HTML.
// The Content-ID of a chart is "<chart id>@dicomlake".
MailBody mail_body(const Report& report, const std::string& subject_template,
                   const std::map<std::string, std::string>& png_by_chart_id);

}  // namespace dicomlake::report
