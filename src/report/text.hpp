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

// `v` with exactly `decimals` decimals (0 to 12), locale-free; a rounded zero is never "-0.00".
// Empty for NaN and infinity: each caller shows those its own way.
std::string fixed_decimals(double v, int decimals);

// fixed_decimals without trailing zeros ("2.50" -> "2.5", "3.00" -> "3").
std::string trimmed_number(double v, int decimals);

}  // namespace dicomlake::report
