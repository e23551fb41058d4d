// One drawing function per chart kind (chart.cpp dispatches on the spec).
#pragma once

#include <string>

#include "report/chart/chart.hpp"

namespace dicomlake::report::chart {

std::string draw_line(const Line& spec, Size size);
std::string draw_scatter(const Scatter& spec, Size size);
std::string draw_bars(const Bars& spec, Size size);
std::string draw_heat_map(const HeatMap& spec, Size size);
std::string draw_box_plot(const BoxPlot& spec, Size size);

}  // namespace dicomlake::report::chart
