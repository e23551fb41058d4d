// index.html: one self-contained page (inline CSS, charts as inline SVG, no script, nothing
// fetched), readable on a laptop and a phone, printable to A4.
#pragma once

#include <string>

#include "report/model.hpp"

namespace dicomlake::report {

std::string to_html(const Report& report);

}  // namespace dicomlake::report
