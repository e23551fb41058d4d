// Axes: tick values a reader can count with (1/2/5 x 10^k, or calendar days, weeks, months),
// the scales that place them, and the drawing of axes, grids and reference lines.
#include <algorithm>
#include <cmath>

#include "report/chart/draw.hpp"
#include "util/dates.hpp"

namespace dicomlake::report::chart::draw {

namespace {

double nice_step(double span, int target) {
    double raw = span / std::max(target, 1);
    double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double norm = raw / mag;
    return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

int decimals_of(double step) {
    return std::clamp(static_cast<int>(-std::floor(std::log10(step) + 1e-9)), 0, 10);
}

}  // namespace

Ticks nice_ticks(double lo, double hi, int target, bool fixed_lo, bool fixed_hi) {
    if (!std::isfinite(lo) || !std::isfinite(hi) || !std::isfinite(hi - lo) || hi < lo) lo = 0, hi = 1;
    if (hi == lo) {  // one value: a little room around it
        double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
        if (!fixed_lo) lo -= pad;
        if (!fixed_hi || hi == lo) hi += pad;
    }
    double step = nice_step(hi - lo, target);
    double first = fixed_lo ? std::ceil(lo / step - 1e-9) : std::floor(lo / step + 1e-9);
    double last = fixed_hi ? std::floor(hi / step + 1e-9) : std::ceil(hi / step - 1e-9);
    Ticks t;
    t.lo = fixed_lo ? lo : first * step;
    t.hi = fixed_hi ? hi : last * step;
    int decimals = decimals_of(step);
    for (double k = first; k <= last && t.values.size() < 64; k += 1) {
        double v = k * step;  // a multiple, not a running sum: no drift
        t.values.push_back(v);
        t.labels.push_back(num(v, decimals));
    }
    return t;
}

namespace {

constexpr double kFirstDay = -719162;  // 0001-01-01
constexpr double kLastDay = 2932896;   // 9999-12-31

// The first day of each `months`-month period from lo to hi.
void month_ticks(long lo, long hi, int months, Ticks& t) {
    std::string first = format_iso_date(lo);
    long year = std::stol(first.substr(0, 4)), month = std::stol(first.substr(5, 2)) - 1;
    long index = year * 12 + month;
    index = (index + months - 1) / months * months;  // aligned: quarters start in Jan, Apr...
    for (;; index += months) {
        char iso[48];  // room for any long, though years stay within 1..9999
        std::snprintf(iso, sizeof iso, "%04ld-%02ld-01", index / 12, index % 12 + 1);
        auto day = parse_iso_date(iso);
        if (!day || *day > hi || t.values.size() >= 64) break;
        if (*day < lo) continue;
        t.values.push_back(static_cast<double>(*day));
        t.labels.push_back(iso);
    }
}

}  // namespace

Ticks date_ticks(double lo, double hi, int target) {
    if (!std::isfinite(lo) || !std::isfinite(hi) || hi < lo) lo = hi = 0;
    lo = std::clamp(std::floor(lo), kFirstDay, kLastDay);
    hi = std::clamp(std::ceil(hi), kFirstDay, kLastDay);
    if (hi == lo) lo -= 1, hi += 1;
    Ticks t;
    t.lo = lo;
    t.hi = hi;
    long first = static_cast<long>(lo), last = static_cast<long>(hi);
    double span = hi - lo;
    target = std::max(target, 2);
    for (long days : {1L, 2L, 7L, 14L}) {
        if (span / static_cast<double>(days) > target) continue;
        long start = first;
        if (days >= 7)  // Mondays: 1970-01-05 was one
            start = first + ((4 - first) % 7 + 7) % 7;
        for (long d = start; d <= last; d += days) {
            t.values.push_back(static_cast<double>(d));
            t.labels.push_back(format_iso_date(d));
        }
        return t;
    }
    for (int months : {1, 2, 3, 6, 12, 24, 60, 120, 600, 1200}) {
        if (span / (30.44 * months) > target) continue;
        month_ticks(first, last, months, t);
        break;
    }
    return t;
}

double Scale::operator()(double v) const {
    if (d1 == d0) return (r0 + r1) / 2;
    return r0 + (v - d0) / (d1 - d0) * (r1 - r0);
}

bool Scale::contains(double v) const {
    double tol = std::fabs(d1 - d0) * 1e-9;
    return v >= std::min(d0, d1) - tol && v <= std::max(d0, d1) + tol;
}

std::string axis_title(const std::string& label, const std::string& unit) {
    return unit.empty() ? label : label + " (" + unit + ")";
}

void left_axis(std::string& out, const Rect& plot, const Scale& y, const Ticks& ticks, const std::string& title) {
    for (std::size_t i = 0; i < ticks.values.size(); ++i) {
        double at = y(ticks.values[i]);
        line(out, plot.x, at, plot.right(), at, kGrid);
        text(out, plot.x - 6, at + 4, ticks.labels[i], Anchor::end, 11, "fill=\"#333333\"");
    }
    line(out, plot.x, plot.y, plot.x, plot.bottom(), kInk);
    if (title.empty()) return;
    double cx = 14, cy = plot.y + plot.h / 2;
    text(out, cx, cy, title, Anchor::middle, 12,
         "fill=\"#333333\" transform=\"rotate(-90 " + num(cx) + " " + num(cy) + ")\"");
}

void bottom_axis(std::string& out, const Rect& plot, const Scale& x, const Ticks& ticks, const std::string& title) {
    for (std::size_t i = 0; i < ticks.values.size(); ++i) {
        double at = x(ticks.values[i]);
        line(out, at, plot.y, at, plot.bottom(), kGrid);
        line(out, at, plot.bottom(), at, plot.bottom() + 4, kInk);
        text(out, at, plot.bottom() + 16, ticks.labels[i], Anchor::middle, 11, "fill=\"#333333\"");
    }
    line(out, plot.x, plot.bottom(), plot.right(), plot.bottom(), kInk);
    if (!title.empty())
        text(out, plot.x + plot.w / 2, plot.bottom() + 34, title, Anchor::middle, 12, "fill=\"#333333\"");
}

void reference_line(std::string& out, const Rect& plot, double at, bool vertical, const std::string& label,
                    std::size_t index) {
    // A white halo keeps the label readable over bars and lines; alternating ends keep two
    // references close together apart.
    const char* const style = "fill=\"#555555\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"";
    bool far_end = index % 2 == 0;
    if (vertical) {
        line(out, at, plot.y, at, plot.bottom(), kReference, 1.5, "5 3");
        double y = far_end ? plot.y + 10 : plot.bottom() - 4;
        bool right_half = at > plot.x + plot.w * 0.6;
        text(out, right_half ? at - 3 : at + 3, y, label, right_half ? Anchor::end : Anchor::start, 10, style);
    } else {
        line(out, plot.x, at, plot.right(), at, kReference, 1.5, "5 3");
        double x = far_end ? plot.right() - 2 : plot.x + 4;
        text(out, x, at - 4, label, far_end ? Anchor::end : Anchor::start, 10, style);
    }
}

}  // namespace dicomlake::report::chart::draw
