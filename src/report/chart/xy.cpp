// Line and scatter charts: series of (x, y) points on two value axes, x possibly dates.
#include <algorithm>
#include <cmath>
#include <limits>

#include "report/chart/draw.hpp"
#include "report/chart/kinds.hpp"

namespace dicomlake::report::chart {

namespace {

using namespace draw;

struct Range {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -std::numeric_limits<double>::infinity();
    void add(double v) {
        if (!std::isfinite(v)) return;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    bool empty() const { return lo > hi; }
};

bool finite(const Point& p) { return std::isfinite(p.x) && std::isfinite(p.y); }

Ticks axis_ticks(const Axis& axis, Range r, int target, bool allow_dates) {
    if (axis.min) r.add(*axis.min);
    if (axis.max) r.add(*axis.max);
    if (r.empty()) return nice_ticks(axis.min.value_or(0), axis.max.value_or(1), target);
    if (allow_dates && axis.dates) return date_ticks(axis.min.value_or(r.lo), axis.max.value_or(r.hi), target);
    return nice_ticks(axis.min.value_or(r.lo), axis.max.value_or(r.hi), target, axis.min.has_value(),
                      axis.max.has_value());
}

double widest(const std::vector<std::string>& labels) {
    double w = 0;
    for (const auto& l : labels) w = std::max(w, text_width(l, 11));
    return w;
}

struct XyInput {
    const std::string& title;
    const std::string& description;
    const Axis& x;
    const Axis& y;
    const std::vector<Series>& series;
    const std::vector<Reference>* references;  // none for scatter
    bool lines;
};

void draw_series(std::string& out, const Series& s, std::size_t index, const Scale& sx, const Scale& sy,
                 bool lines) {
    std::vector<Point> shown;
    for (const Point& p : s.points)
        if (finite(p) && sx.contains(p.x) && (lines || sy.contains(p.y))) shown.push_back(p);
    double lo = std::min(sy.d0, sy.d1), hi = std::max(sy.d0, sy.d1);
    auto y_of = [&](double v) { return sy(std::clamp(v, lo, hi)); };
    const std::string& fill = colour(index);
    if (lines && shown.size() > 1) {
        out += "<polyline fill=\"none\" stroke=\"" + fill + "\" stroke-width=\"2\"";
        if (!dash(index).empty()) out += " stroke-dasharray=\"" + dash(index) + "\"";
        out += " points=\"";
        for (std::size_t k = 0; k < shown.size(); ++k)
            out += (k ? " " : "") + num(sx(shown[k].x)) + "," + num(y_of(shown[k].y));
        out += "\"/>\n";
    }
    if (lines && shown.size() > 60) return;  // markers would hide a dense line
    out += lines ? "<g>\n" : "<g fill-opacity=\"0.75\">\n";
    for (const Point& p : shown) marker(out, index, sx(p.x), y_of(p.y), lines ? 3 : 3.5, fill);
    out += "</g>\n";
}

std::string draw_xy(const XyInput& in, Size size) {
    Range rx, ry;
    bool any = false;
    for (const Series& s : in.series)
        for (const Point& p : s.points)
            if (finite(p)) rx.add(p.x), ry.add(p.y), any = true;
    if (in.references)
        for (const Reference& r : *in.references) ry.add(r.value);

    int y_target = std::max(3, (size.height - 110) / 45);
    Ticks yt = axis_ticks(in.y, ry, y_target, false);
    double left = 34 + widest(yt.labels);
    std::vector<LegendItem> legend;
    for (std::size_t i = 0; i < in.series.size(); ++i)
        legend.push_back({in.series[i].name, i, in.lines ? LegendItem::Kind::line : LegendItem::Kind::marker});
    // Date labels are wider: room for half of one past the plot's right edge.
    Frame f = frame(size.width, size.height, in.title, legend, left, in.x.dates ? 38 : 28, 48);

    int x_target = std::max(2, static_cast<int>(f.plot.w / (in.x.dates ? 95 : 70)));
    Ticks xt = axis_ticks(in.x, rx, x_target, true);
    Scale sx{xt.lo, xt.hi, f.plot.x, f.plot.right()};
    Scale sy{yt.lo, yt.hi, f.plot.bottom(), f.plot.y};
    left_axis(f.body, f.plot, sy, yt, axis_title(in.y.label, in.y.unit));
    bottom_axis(f.body, f.plot, sx, any ? xt : Ticks{}, axis_title(in.x.label, in.x.unit));
    for (std::size_t i = 0; i < in.series.size(); ++i) draw_series(f.body, in.series[i], i, sx, sy, in.lines);
    if (in.references)  // over the lines, so that their labels stay readable
        for (std::size_t i = 0; i < in.references->size(); ++i) {
            const Reference& r = (*in.references)[i];
            if (std::isfinite(r.value) && sy.contains(r.value))
                reference_line(f.body, f.plot, sy(r.value), false, r.label, i);
        }
    if (!any) no_data(f.body, f.plot);
    return document(size.width, size.height, in.title, in.description, f.body);
}

}  // namespace

std::string draw_line(const Line& spec, Size size) {
    return draw_xy({spec.title, spec.description, spec.x, spec.y, spec.series, &spec.references, true}, size);
}

std::string draw_scatter(const Scatter& spec, Size size) {
    return draw_xy({spec.title, spec.description, spec.x, spec.y, spec.series, nullptr, false}, size);
}

}  // namespace dicomlake::report::chart
