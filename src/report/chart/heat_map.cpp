// Heat map: rows x columns of cells shaded by value on a sequential light-to-dark scale, with a
// colour key naming the unit and the extremes. A missing value leaves its cell blank.
#include <algorithm>
#include <cmath>
#include <optional>

#include "report/chart/draw.hpp"
#include "report/chart/kinds.hpp"

namespace dicomlake::report::chart {

namespace {

using namespace draw;

std::optional<double> cell(const HeatMap& spec, std::size_t r, std::size_t c) {
    if (r >= spec.values.size() || c >= spec.values[r].size()) return std::nullopt;
    auto v = spec.values[r][c];
    if (!v || !std::isfinite(*v)) return std::nullopt;
    return v;
}

struct Extent {
    double lo = 0, hi = 0;
    bool any = false;
    double shade(double v) const { return hi > lo ? (v - lo) / (hi - lo) : 0.6; }
};

Extent extent_of(const HeatMap& spec) {
    Extent e;
    for (std::size_t r = 0; r < spec.rows.size(); ++r)
        for (std::size_t c = 0; c < spec.columns.size(); ++c)
            if (auto v = cell(spec, r, c)) {
                e.lo = e.any ? std::min(e.lo, *v) : *v;
                e.hi = e.any ? std::max(e.hi, *v) : *v;
                e.any = true;
            }
    return e;
}

std::string with_unit(double v, const std::string& unit) { return unit.empty() ? num(v) : num(v) + " " + unit; }

void cells(std::string& out, const HeatMap& spec, const Rect& plot, const Extent& e) {
    double w = plot.w / static_cast<double>(spec.columns.size());
    double h = plot.h / static_cast<double>(spec.rows.size());
    for (std::size_t r = 0; r < spec.rows.size(); ++r)
        for (std::size_t c = 0; c < spec.columns.size(); ++c) {
            auto v = cell(spec, r, c);
            if (!v) continue;
            double x = plot.x + w * static_cast<double>(c), y = plot.y + h * static_cast<double>(r);
            double t = e.shade(*v);
            out += "<rect x=\"" + num(x + 0.5) + "\" y=\"" + num(y + 0.5) + "\" width=\"" + num(std::max(w - 1, 0.5)) +
                   "\" height=\"" + num(std::max(h - 1, 0.5)) + "\" fill=\"" + ramp(t) + "\"><title>" +
                   escape(spec.rows[r] + ", " + spec.columns[c] + ": " + with_unit(*v, spec.unit)) +
                   "</title></rect>\n";
            std::string label = num(*v);
            if (h >= 14 && w >= text_width(label, 10) + 4)
                text(out, x + w / 2, y + h / 2 + 3.5, label, Anchor::middle, 10,
                     t > 0.55 ? "fill=\"#ffffff\"" : "fill=\"#222222\"");
        }
}

void row_and_column_labels(std::string& out, const HeatMap& spec, const Rect& plot) {
    double w = plot.w / static_cast<double>(spec.columns.size());
    double h = plot.h / static_cast<double>(spec.rows.size());
    auto row_chars = static_cast<std::size_t>(std::max(3.0, (plot.x - 12) / (11 * 0.6)));
    for (std::size_t r = 0; r < spec.rows.size(); ++r)
        text(out, plot.x - 6, plot.y + h * (static_cast<double>(r) + 0.5) + 4, shorten(spec.rows[r], row_chars),
             Anchor::end, 11, "fill=\"#333333\"");
    auto column_chars = static_cast<std::size_t>(std::max(2.0, w / (10 * 0.6)));
    for (std::size_t c = 0; c < spec.columns.size(); ++c)
        text(out, plot.x + w * (static_cast<double>(c) + 0.5), plot.bottom() + 15,
             shorten(spec.columns[c], column_chars), Anchor::middle, 10, "fill=\"#333333\"");
}

// A column of steps from the lightest (minimum, bottom) to the darkest (maximum, top).
void colour_key(std::string& out, const Rect& plot, const Extent& e, const std::string& unit) {
    constexpr int kSteps = 8;
    double x = plot.right() + 18, w = 14, step = plot.h / kSteps;
    for (int k = 0; k < kSteps; ++k)
        rect(out, {x, plot.y + step * (kSteps - 1 - k), w, step + 0.2}, ramp((k + 0.5) / kSteps));
    text(out, x + w + 4, plot.y + 9, num(e.hi), Anchor::start, 10, "fill=\"#333333\"");
    text(out, x + w + 4, plot.bottom(), num(e.lo), Anchor::start, 10, "fill=\"#333333\"");
    if (!unit.empty()) text(out, x, plot.y - 6, shorten(unit, 14), Anchor::start, 10, "fill=\"#333333\"");
}

}  // namespace

std::string draw_heat_map(const HeatMap& spec, Size size) {
    double labels = 0;
    for (const auto& r : spec.rows) labels = std::max(labels, text_width(r, 11));
    double left = std::clamp(labels + 16, 40.0, size.width * 0.3);
    Frame f = frame(size.width, size.height, spec.title, {}, left, 90, 30);
    Extent e = extent_of(spec);
    if (!e.any) {
        no_data(f.body, f.plot);
    } else {
        cells(f.body, spec, f.plot, e);
        row_and_column_labels(f.body, spec, f.plot);
        colour_key(f.body, f.plot, e, spec.unit);
    }
    return document(size.width, size.height, spec.title, spec.description, f.body);
}

}  // namespace dicomlake::report::chart
