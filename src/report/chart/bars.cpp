// Grouped bars: one band per category, one bar per group inside it. Horizontal by default, so
// that long protocol names read along the left edge.
#include <algorithm>
#include <cmath>

#include "report/chart/draw.hpp"
#include "report/chart/kinds.hpp"

namespace dicomlake::report::chart {

namespace {

using namespace draw;

struct Layout {
    Frame f;
    Scale value;       // value -> x (horizontal) or y (vertical)
    double band = 0;   // per category
    double bar = 0;    // per group
    bool horizontal = true;
};

std::optional<double> value_at(const Bars& spec, std::size_t group, std::size_t category) {
    if (group >= spec.values.size() || category >= spec.values[group].size()) return std::nullopt;
    auto v = spec.values[group][category];
    if (!v || !std::isfinite(*v)) return std::nullopt;
    return v;
}

Ticks value_ticks(const Bars& spec, int target, bool& any) {
    double lo = 0, hi = 0;  // bars start at zero
    any = false;
    for (std::size_t g = 0; g < spec.groups.size() || g < spec.values.size(); ++g)
        for (std::size_t c = 0; c < spec.categories.size(); ++c)
            if (auto v = value_at(spec, g, c)) lo = std::min(lo, *v), hi = std::max(hi, *v), any = true;
    for (const Reference& r : spec.references)
        if (std::isfinite(r.value)) lo = std::min(lo, r.value), hi = std::max(hi, r.value);
    const Axis& a = spec.value;
    return nice_ticks(a.min.value_or(lo), a.max.value_or(hi), target, a.min.has_value(), a.max.has_value());
}

std::size_t group_count(const Bars& spec) { return std::max<std::size_t>(1, std::max(spec.groups.size(), spec.values.size())); }

// Category labels along the left (horizontal) or the bottom (vertical), shortened to fit.
void category_labels(std::string& out, const Bars& spec, const Layout& l) {
    const Rect& p = l.f.plot;
    for (std::size_t c = 0; c < spec.categories.size(); ++c) {
        double mid = (l.horizontal ? p.y : p.x) + l.band * (static_cast<double>(c) + 0.5);
        if (l.horizontal) {
            auto chars = static_cast<std::size_t>(std::max(3.0, (p.x - 12) / (11 * 0.6)));
            text(out, p.x - 6, mid + 4, shorten(spec.categories[c], chars), Anchor::end, 11, "fill=\"#333333\"");
        } else {
            auto chars = static_cast<std::size_t>(std::max(3.0, l.band / (11 * 0.6)));
            text(out, mid, p.bottom() + 16, shorten(spec.categories[c], chars), Anchor::middle, 11,
                 "fill=\"#333333\"");
        }
    }
}

void bar(std::string& out, const Bars& spec, const Layout& l, std::size_t g, std::size_t c, double v) {
    const Rect& p = l.f.plot;
    double lo = std::min(l.value.d0, l.value.d1), hi = std::max(l.value.d0, l.value.d1);
    double from = l.value(std::clamp(0.0, lo, hi)), to = l.value(std::clamp(v, lo, hi));
    double offset = l.band * (static_cast<double>(c) + 0.1) + l.bar * static_cast<double>(g);
    Rect r = l.horizontal ? Rect{std::min(from, to), p.y + offset, std::fabs(to - from), l.bar}
                          : Rect{p.x + offset, std::min(from, to), l.bar, std::fabs(to - from)};
    std::string name = spec.categories[c];
    if (g < spec.groups.size()) name += ", " + spec.groups[g];
    out += "<rect x=\"" + num(r.x) + "\" y=\"" + num(r.y) + "\" width=\"" + num(r.w) + "\" height=\"" + num(r.h) +
           "\" fill=\"" + colour(g) + "\"><title>" + escape(name) + ": " + num(v) + "</title></rect>\n";
    // The group's marker shape inside the bar's end: a cue that does not rely on colour.
    double length = l.horizontal ? r.w : r.h;
    if (group_count(spec) > 1 && length >= 14 && l.bar >= 8) {
        double mx = l.horizontal ? (to >= from ? r.right() - 7 : r.x + 7) : r.x + r.w / 2;
        double my = l.horizontal ? r.y + r.h / 2 : (to <= from ? r.y + 7 : r.bottom() - 7);
        marker(out, g, mx, my, std::min(3.5, l.bar / 3), "#ffffff");
    }
}

}  // namespace

std::string draw_bars(const Bars& spec, Size size) {
    Layout l;
    l.horizontal = spec.horizontal;
    std::vector<LegendItem> legend;
    for (std::size_t g = 0; g < spec.groups.size(); ++g) legend.push_back({spec.groups[g], g, LegendItem::Kind::swatch});
    bool any = false;
    std::string value_title = axis_title(spec.value.label, spec.value.unit);
    if (l.horizontal) {
        double labels = 0;
        for (const auto& c : spec.categories) labels = std::max(labels, text_width(c, 11));
        double left = std::clamp(labels + 16, 60.0, size.width * 0.4);
        l.f = frame(size.width, size.height, spec.title, legend, left, 28, 48);
        Ticks t = value_ticks(spec, std::max(2, static_cast<int>(l.f.plot.w / 70)), any);
        l.value = {t.lo, t.hi, l.f.plot.x, l.f.plot.right()};
        bottom_axis(l.f.body, l.f.plot, l.value, t, value_title);
    } else {
        Ticks t = value_ticks(spec, std::max(3, (size.height - 110) / 45), any);
        double left = 34;
        for (const auto& s : t.labels) left = std::max(left, 34 + text_width(s, 11));
        l.f = frame(size.width, size.height, spec.title, legend, left, 28, 48);
        l.value = {t.lo, t.hi, l.f.plot.bottom(), l.f.plot.y};
        left_axis(l.f.body, l.f.plot, l.value, t, value_title);
    }
    std::size_t n = std::max<std::size_t>(1, spec.categories.size());
    l.band = (l.horizontal ? l.f.plot.h : l.f.plot.w) / static_cast<double>(n);
    l.bar = l.band * 0.8 / static_cast<double>(group_count(spec));
    category_labels(l.f.body, spec, l);
    for (std::size_t g = 0; g < group_count(spec); ++g)
        for (std::size_t c = 0; c < spec.categories.size(); ++c)
            if (auto v = value_at(spec, g, c)) bar(l.f.body, spec, l, g, c, *v);
    for (std::size_t i = 0; i < spec.references.size(); ++i) {
        const Reference& r = spec.references[i];
        if (std::isfinite(r.value) && l.value.contains(r.value))
            reference_line(l.f.body, l.f.plot, l.value(r.value), l.horizontal, r.label, i);
    }
    if (!any) no_data(l.f.body, l.f.plot);
    return document(size.width, size.height, spec.title, spec.description, l.f.body);
}

}  // namespace dicomlake::report::chart
