// Box plots: one box per label (first to third quartile, a median line, whiskers as the caller
// chose them), the number of values under the label, and reference lines across.
#include <algorithm>
#include <cmath>

#include "report/chart/draw.hpp"
#include "report/chart/kinds.hpp"

namespace dicomlake::report::chart {

namespace {

using namespace draw;

bool drawable(const Box& b) {
    for (double v : {b.low, b.q1, b.median, b.q3, b.high})
        if (!std::isfinite(v)) return false;
    return true;
}

Ticks value_ticks(const BoxPlot& spec, int target, bool& any) {
    double lo = 0, hi = 0;
    any = false;
    auto add = [&](double v) {
        lo = any ? std::min(lo, v) : v;
        hi = any ? std::max(hi, v) : v;
        any = true;
    };
    for (const Box& b : spec.boxes)
        if (drawable(b)) add(std::min(b.low, b.q1)), add(std::max(b.high, b.q3));
    bool boxes = any;
    for (const Reference& r : spec.references)
        if (std::isfinite(r.value)) add(r.value);
    any = boxes;
    const Axis& a = spec.value;
    return nice_ticks(a.min.value_or(lo), a.max.value_or(hi), target, a.min.has_value(), a.max.has_value());
}

void box(std::string& out, const Box& b, double centre, double width, const Scale& y) {
    double lo = std::min(y.d0, y.d1), hi = std::max(y.d0, y.d1);
    auto at = [&](double v) { return y(std::clamp(v, lo, hi)); };
    const std::string& blue = colour(0);
    line(out, centre, at(b.low), centre, at(b.q1), kInk);
    line(out, centre, at(b.q3), centre, at(b.high), kInk);
    line(out, centre - width / 4, at(b.low), centre + width / 4, at(b.low), kInk);
    line(out, centre - width / 4, at(b.high), centre + width / 4, at(b.high), kInk);
    double top = std::min(at(b.q1), at(b.q3)), bottom = std::max(at(b.q1), at(b.q3));
    out += "<rect x=\"" + num(centre - width / 2) + "\" y=\"" + num(top) + "\" width=\"" + num(width) +
           "\" height=\"" + num(bottom - top) + "\" fill=\"" + blue + "\" fill-opacity=\"0.25\" stroke=\"" + blue +
           "\" stroke-width=\"1.5\"><title>" +
           escape(b.label + ": median " + num(b.median) + ", quartiles " + num(b.q1) + " to " + num(b.q3) +
                  ", whiskers " + num(b.low) + " to " + num(b.high) + ", n=" + std::to_string(b.n)) +
           "</title></rect>\n";
    line(out, centre - width / 2, at(b.median), centre + width / 2, at(b.median), "#000000", 2.5);
}

}  // namespace

std::string draw_box_plot(const BoxPlot& spec, Size size) {
    bool any = false;
    Ticks t = value_ticks(spec, std::max(3, (size.height - 120) / 45), any);
    double left = 34;
    for (const auto& s : t.labels) left = std::max(left, 34 + text_width(s, 11));
    Frame f = frame(size.width, size.height, spec.title, {}, left, 28, 40);
    Scale y{t.lo, t.hi, f.plot.bottom(), f.plot.y};
    left_axis(f.body, f.plot, y, t, axis_title(spec.value.label, spec.value.unit));
    line(f.body, f.plot.x, f.plot.bottom(), f.plot.right(), f.plot.bottom(), kInk);
    double band = f.plot.w / static_cast<double>(std::max<std::size_t>(1, spec.boxes.size()));
    auto chars = static_cast<std::size_t>(std::max(3.0, band / (11 * 0.6)));
    for (std::size_t i = 0; i < spec.boxes.size(); ++i) {
        const Box& b = spec.boxes[i];
        double centre = f.plot.x + band * (static_cast<double>(i) + 0.5);
        if (drawable(b)) box(f.body, b, centre, std::min(band * 0.5, 60.0), y);
        text(f.body, centre, f.plot.bottom() + 15, shorten(b.label, chars), Anchor::middle, 11, "fill=\"#333333\"");
        text(f.body, centre, f.plot.bottom() + 29, "n=" + std::to_string(b.n), Anchor::middle, 10, "fill=\"#666666\"");
    }
    for (std::size_t i = 0; i < spec.references.size(); ++i) {
        const Reference& r = spec.references[i];
        if (std::isfinite(r.value) && y.contains(r.value)) reference_line(f.body, f.plot, y(r.value), false, r.label, i);
    }
    if (!any) no_data(f.body, f.plot);
    return document(size.width, size.height, spec.title, spec.description, f.body);
}

}  // namespace dicomlake::report::chart
