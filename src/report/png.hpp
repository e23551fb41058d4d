// SVG -> PNG for the mail (mail clients drop inline SVG): librsvg parses, cairo paints.
#pragma once

#include <string>

namespace dicomlake::report {

// PNG bytes of `svg` rendered `width_px` wide (height by the viewBox's aspect), on white.
// Throws std::runtime_error naming the problem when the SVG does not parse.
std::string svg_to_png(const std::string& svg, int width_px);

}  // namespace dicomlake::report
