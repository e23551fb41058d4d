// Colours safe for colour-blind readers, and the second cues (dashes, marker shapes) that do not
// depend on colour at all.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "report/chart/draw.hpp"

namespace dicomlake::report::chart::draw {

const char* const kGrid = "#e3e3e3";
const char* const kInk = "#333333";
const char* const kReference = "#555555";

const std::string& colour(std::size_t i) {
    // Okabe & Ito (2008), "Color Universal Design".
    static const std::array<std::string, 8> kOkabeIto = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                                         "#56B4E9", "#D55E00", "#F0E442", "#000000"};
    return kOkabeIto[i % kOkabeIto.size()];
}

const std::string& dash(std::size_t i) {
    static const std::array<std::string, 8> kDashes = {"", "6 3", "2 3", "8 3 2 3", "12 4", "4 2 1 2", "1 2",
                                                       "10 2 2 2 2 2"};
    return kDashes[i % kDashes.size()];
}

namespace {

std::string polygon(const std::vector<std::pair<double, double>>& corners, std::string_view fill) {
    std::string s = "<polygon points=\"";
    for (std::size_t k = 0; k < corners.size(); ++k)
        s += (k ? " " : "") + num(corners[k].first) + "," + num(corners[k].second);
    s += "\" fill=\"";
    s += fill;
    s += "\"/>\n";
    return s;
}

}  // namespace

void marker(std::string& out, std::size_t shape, double x, double y, double r, std::string_view fill) {
    switch (shape % 6) {
        case 0:
            out += "<circle cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"" + num(r) + "\" fill=\"";
            out += fill;
            out += "\"/>\n";
            break;
        case 1: rect(out, {x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8}, fill); break;
        case 2: out += polygon({{x, y - r * 1.2}, {x + r * 1.1, y + r * 0.8}, {x - r * 1.1, y + r * 0.8}}, fill); break;
        case 3: out += polygon({{x, y - r * 1.3}, {x + r * 1.3, y}, {x, y + r * 1.3}, {x - r * 1.3, y}}, fill); break;
        case 4: out += polygon({{x, y + r * 1.2}, {x + r * 1.1, y - r * 0.8}, {x - r * 1.1, y - r * 0.8}}, fill); break;
        default: {  // a plus sign, filled
            double t = r * 0.45;
            out += polygon({{x - t, y - r * 1.2}, {x + t, y - r * 1.2}, {x + t, y - t}, {x + r * 1.2, y - t},
                            {x + r * 1.2, y + t}, {x + t, y + t}, {x + t, y + r * 1.2}, {x - t, y + r * 1.2},
                            {x - t, y + t}, {x - r * 1.2, y + t}, {x - r * 1.2, y - t}, {x - t, y - t}},
                           fill);
        }
    }
}

std::string ramp(double t) {
    // ColorBrewer "Blues" (single hue, light to dark): readable for every kind of colour blindness
    // and in grey print.
    static const std::array<std::array<int, 3>, 9> kBlues = {{{247, 251, 255}, {222, 235, 247}, {198, 219, 239},
                                                              {158, 202, 225}, {107, 174, 214}, {66, 146, 198},
                                                              {33, 113, 181}, {8, 81, 156}, {8, 48, 107}}};
    if (!std::isfinite(t)) t = 0;
    t = std::clamp(t, 0.0, 1.0) * (kBlues.size() - 1);
    std::size_t k = std::min(static_cast<std::size_t>(t), kBlues.size() - 2);
    double f = t - static_cast<double>(k);
    char buf[8];
    int rgb[3];
    for (int c = 0; c < 3; ++c)
        rgb[c] = static_cast<int>(std::lround(kBlues[k][c] + f * (kBlues[k + 1][c] - kBlues[k][c])));
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
    return buf;
}

}  // namespace dicomlake::report::chart::draw
