// Small text helpers the report's writers share.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dicomlake::report {

// Text safe inside HTML elements and quoted attributes: & < > " ' escaped.
std::string html_escape(std::string_view text);

// Characters (Unicode code points) in UTF-8 text: the column width a monospaced reader sees,
// roughly (wide CJK characters count as one).
std::size_t display_width(std::string_view text);

}  // namespace dicomlake::report
