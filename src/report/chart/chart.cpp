// The public entry points: dispatch on the kind of chart.
#include "report/chart/chart.hpp"

#include <algorithm>

#include "report/chart/kinds.hpp"

namespace dicomlake::report::chart {

namespace {

template <class... F>
struct Overload : F... {
    using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

}  // namespace

std::string to_svg(const Spec& spec, Size size) {
    // A viewBox too small for the margins would put the plot outside it; too large is a caller bug.
    size.width = std::clamp(size.width, 200, 4000);
    size.height = std::clamp(size.height, 120, 4000);
    return std::visit(Overload{[&](const Line& s) { return draw_line(s, size); },
                               [&](const Scatter& s) { return draw_scatter(s, size); },
                               [&](const Bars& s) { return draw_bars(s, size); },
                               [&](const HeatMap& s) { return draw_heat_map(s, size); },
                               [&](const BoxPlot& s) { return draw_box_plot(s, size); }},
                      spec);
}

const std::string& title_of(const Spec& spec) {
    return std::visit([](const auto& s) -> const std::string& { return s.title; }, spec);
}

const std::string& description_of(const Spec& spec) {
    return std::visit([](const auto& s) -> const std::string& { return s.description; }, spec);
}

}  // namespace dicomlake::report::chart
