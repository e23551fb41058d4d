// The chart module's own drawing kit (not part of the public contract in chart.hpp): SVG text
// with escaping and fixed-precision numbers, axes with nice ticks, the palette, the frame every
// chart shares (title, legend, plot rectangle).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dicomlake::report::chart::draw {

// ---- SVG text (svg.cpp) ----

// `v` with at most `decimals` decimals, trailing zeros dropped, never "-0"; independent of the
// C locale. Non-finite values print "0": callers skip them before drawing.
std::string num(double v, int decimals = 2);
// XML character data / attribute text: & < > " ' escaped, control characters and invalid UTF-8
// (labels come from an untrusted PACS) replaced, so the document stays well-formed.
std::string escape(std::string_view text);
// At most `max_chars` code points, the last one an ellipsis when cut.
std::string shorten(std::string_view text, std::size_t max_chars);
// Rough width of `text` at `font_size` (DejaVu Sans averages about 0.6 em per character).
double text_width(std::string_view text, double font_size);

struct Rect {
    double x = 0, y = 0, w = 0, h = 0;
    double right() const { return x + w; }
    double bottom() const { return y + h; }
};

// Appenders of one element each; `extra` is raw attribute text the caller built.
void line(std::string& out, double x1, double y1, double x2, double y2, std::string_view stroke,
          double width = 1, std::string_view dash = {});
void rect(std::string& out, const Rect& r, std::string_view fill, std::string_view extra = {});
enum class Anchor { start, middle, end };
void text(std::string& out, double x, double y, std::string_view content, Anchor anchor = Anchor::start,
          double size = 11, std::string_view extra = {});

// ---- palette (palette.cpp) ----

const std::string& colour(std::size_t i);   // Okabe-Ito, cycling
const std::string& dash(std::size_t i);     // "" (solid) then dash patterns: the second cue
void marker(std::string& out, std::size_t shape, double x, double y, double r, std::string_view fill);
std::string ramp(double t);                 // sequential light-to-dark blue, t in [0, 1]
extern const char* const kGrid;             // light grey grid lines
extern const char* const kInk;              // axis and text colour
extern const char* const kReference;        // reference lines

// ---- axes (axes.cpp) ----

struct Ticks {
    std::vector<double> values;
    std::vector<std::string> labels;
    double lo = 0, hi = 1;  // the axis domain (covers the ticks unless bounds were fixed)
};
// 1/2/5 x 10^k steps, about `target` of them, covering [lo, hi]; fixed bounds are kept as given.
Ticks nice_ticks(double lo, double hi, int target, bool fixed_lo = false, bool fixed_hi = false);
// Days since 1970: ticks on days, Mondays, or first days of months, labelled YYYY-MM-DD; the
// domain is [lo, hi] itself.
Ticks date_ticks(double lo, double hi, int target);

struct Scale {
    double d0 = 0, d1 = 1, r0 = 0, r1 = 1;
    double operator()(double v) const;
    bool contains(double v) const;  // within the domain (a small tolerance)
};

std::string axis_title(const std::string& label, const std::string& unit);
// Value ticks along the left edge of `plot` with horizontal grid lines, and the axis title.
void left_axis(std::string& out, const Rect& plot, const Scale& y, const Ticks& ticks, const std::string& title);
// Value ticks along the bottom edge with vertical grid lines, and the axis title below.
void bottom_axis(std::string& out, const Rect& plot, const Scale& x, const Ticks& ticks, const std::string& title);
// A labelled reference line across the plot: horizontal at y = value, or vertical at x = value.
void reference_line(std::string& out, const Rect& plot, double at, bool vertical, const std::string& label,
                    std::size_t index);

// ---- frame (frame.cpp) ----

struct LegendItem {
    std::string name;
    std::size_t index = 0;  // colour, dash and marker
    enum class Kind { line, marker, swatch } kind = Kind::swatch;
};

// Title, legend (only when there are two or more items), and the plot area left for the chart.
struct Frame {
    std::string body;
    Rect plot;
};
Frame frame(int width, int height, const std::string& title, const std::vector<LegendItem>& legend,
            double left, double right, double bottom);
void no_data(std::string& out, const Rect& plot);
// The complete <svg> element around `body`, ids derived from the title, description and body.
std::string document(int width, int height, const std::string& title, const std::string& description,
                     const std::string& body);

}  // namespace dicomlake::report::chart::draw
