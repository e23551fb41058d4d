// What every chart shares: the <svg> element with its accessible name, the title, the legend,
// and the plot rectangle left for the data.
#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "report/chart/draw.hpp"

namespace dicomlake::report::chart::draw {

namespace {

constexpr double kTitleBaseline = 22;
constexpr double kLegendRow = 18;

void legend_swatch(std::string& out, const LegendItem& item, double x, double y) {
    const std::string& fill = colour(item.index);
    switch (item.kind) {
        case LegendItem::Kind::line:
            line(out, x, y, x + 22, y, fill, 2, dash(item.index));
            marker(out, item.index, x + 11, y, 3.5, fill);
            break;
        case LegendItem::Kind::marker: marker(out, item.index, x + 11, y, 4, fill); break;
        case LegendItem::Kind::swatch:  // with the marker shape the bars carry
            rect(out, {x + 4, y - 6, 14, 12}, fill);
            marker(out, item.index, x + 11, y, 3, "#ffffff");
            break;
    }
}

// Items left to right, wrapping within the width; returns the number of rows drawn.
int legend(std::string& out, const std::vector<LegendItem>& items, double top, double width) {
    if (items.size() < 2) return 0;
    double x = 12, y = top;
    int rows = 1;
    for (const LegendItem& item : items) {
        std::string name = shorten(item.name, 40);
        double w = 28 + text_width(name, 11) + 14;
        if (x > 12 && x + w > width - 12) {
            x = 12;
            y += kLegendRow;
            ++rows;
        }
        legend_swatch(out, item, x, y - 4);
        text(out, x + 28, y, name, Anchor::start, 11, "fill=\"#333333\"");
        x += w;
    }
    return rows;
}

std::string hex_id(const std::string& title, const std::string& description, const std::string& body) {
    std::uint64_t h = 1469598103934665603ULL;  // FNV-1a: stable across runs and platforms
    auto mix = [&](const std::string& s) {
        for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
        h = (h ^ 0xFF) * 1099511628211ULL;  // separator: ("ab","c") differs from ("a","bc")
    };
    mix(title);
    mix(description);
    mix(body);
    char buf[24];
    std::snprintf(buf, sizeof buf, "chart-%012llx", static_cast<unsigned long long>(h & 0xFFFFFFFFFFFFULL));
    return buf;
}

}  // namespace

Frame frame(int width, int height, const std::string& title, const std::vector<LegendItem>& items, double left,
            double right, double bottom) {
    Frame f;
    text(f.body, 12, kTitleBaseline, title, Anchor::start, 15, "font-weight=\"bold\" fill=\"#222222\"");
    int rows = legend(f.body, items, kTitleBaseline + 20, width);
    double top = kTitleBaseline + 20 + rows * kLegendRow;
    f.plot = {left, top, std::max(width - left - right, 10.0), std::max(height - top - bottom, 10.0)};
    return f;
}

void no_data(std::string& out, const Rect& plot) {
    text(out, plot.x + plot.w / 2, plot.y + plot.h / 2, "no data", Anchor::middle, 13, "fill=\"#777777\"");
}

std::string document(int width, int height, const std::string& title, const std::string& description,
                     const std::string& body) {
    std::string id = hex_id(title, description, body);
    std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(width) + " " +
                      std::to_string(height) + "\" role=\"img\" aria-labelledby=\"" + id + "-title " + id +
                      "-desc\" font-family=\"system-ui, 'DejaVu Sans', sans-serif\">\n";
    out += "<title id=\"" + id + "-title\">" + escape(title) + "</title>\n";
    out += "<desc id=\"" + id + "-desc\">" + escape(description) + "</desc>\n";
    out += body;
    out += "</svg>\n";
    return out;
}

}  // namespace dicomlake::report::chart::draw
