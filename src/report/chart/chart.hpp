// dicomlake's own SVG charts: what to draw (specs, plain data) and one function that draws it.
//
// The report stage builds specs from the views; the HTML writer inlines the SVG, the mail
// renders the key charts to PNG (report/png). Output is deterministic: the same spec gives the
// same bytes (numbers printed with a fixed precision, no clock, no random ids), so tests can
// compare. Every chart carries a <title> and a <desc> for screen readers, axes with units, a
// legend when there is more than one series, and colours from a palette safe for colour-blind
// readers (Okabe-Ito), with shapes or dashes as a second cue.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace dicomlake::report::chart {

struct Point {
    double x = 0, y = 0;
};

struct Axis {
    std::string label;            // "Mean NEX", "DLP"
    std::string unit;             // "mGy.cm", "" for a count
    bool dates = false;           // x only: values are days since 1970-01-01, ticks print ISO dates
    std::optional<double> min, max;  // fixed bounds; otherwise from the data (min 0 for bars)
};

struct Series {
    std::string name;             // legend text
    std::vector<Point> points;    // lines: sorted by x by the caller
};

// A horizontal (or, for bars drawn horizontally, vertical) line across the plot, labelled.
struct Reference {
    std::string label;            // "fleet median", "local reference (P75)", "national DRL"
    double value = 0;
};

struct Line {
    std::string title, description;
    Axis x, y;
    std::vector<Series> series;
    std::vector<Reference> references;
};

struct Scatter {
    std::string title, description;
    Axis x, y;
    std::vector<Series> series;
};

// Grouped bars: one bar per (group, category); values[group][category], missing = no bar.
struct Bars {
    std::string title, description;
    Axis value;                   // the measured axis
    std::vector<std::string> categories;
    std::vector<std::string> groups;  // legend; a single group draws no legend
    std::vector<std::vector<std::optional<double>>> values;
    std::vector<Reference> references;
    bool horizontal = true;       // categories down the left: long protocol names stay readable
};

// Rows x columns of cells shaded by value (sequential, colour-blind safe); missing = blank.
struct HeatMap {
    std::string title, description;
    std::vector<std::string> rows, columns;
    std::vector<std::vector<std::optional<double>>> values;  // values[row][column]
    std::string unit;             // of the cell values, shown on the colour key
};

struct Box {
    std::string label;
    double low = 0, q1 = 0, median = 0, q3 = 0, high = 0;  // whiskers: the caller's choice (min/max or P5/P95)
    long n = 0;                   // shown under the label
};

struct BoxPlot {
    std::string title, description;
    Axis value;
    std::vector<Box> boxes;
    std::vector<Reference> references;
};

using Spec = std::variant<Line, Scatter, Bars, HeatMap, BoxPlot>;

struct Size {
    int width = 720, height = 360;  // the viewBox; the HTML scales it to the page width
};

// A standalone <svg> element (xmlns, viewBox, role="img", aria-labelledby -> <title>, <desc>).
// Labels are XML-escaped; non-finite numbers are left out. Throws nothing for empty data: it
// draws the axes and says "no data" (callers normally show a section's empty reason instead).
std::string to_svg(const Spec& spec, Size size = {});

const std::string& title_of(const Spec& spec);
const std::string& description_of(const Spec& spec);

}  // namespace dicomlake::report::chart
