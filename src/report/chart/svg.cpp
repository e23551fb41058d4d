// SVG text: numbers, escaping and the few elements the charts are made of.
#include <algorithm>
#include <cmath>

#include "report/chart/draw.hpp"
#include "report/text.hpp"

namespace dicomlake::report::chart::draw {

std::string num(double v, int decimals) { return std::isfinite(v) ? trimmed_number(v, decimals) : "0"; }

namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is not one.
std::size_t utf8_length(std::string_view text, std::size_t i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char c = byte(i);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > text.size()) return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
    unsigned long cp = n == 1 ? c : c & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (byte(i + k) & 0x3F);
    static const unsigned long kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    if (cp < kMin[n] || cp > 0x10FFFF || surrogate || cp == 0xFFFE || cp == 0xFFFF) return 0;
    return n;
}

}  // namespace

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        std::size_t n = utf8_length(text, i);
        if (n == 0) {  // not UTF-8: the replacement character, one byte at a time
            out += "\xEF\xBF\xBD";
            ++i;
            continue;
        }
        char c = text[i];
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default:
                // XML 1.0 forbids most control characters even as references.
                if (n == 1 && static_cast<unsigned char>(c) < 0x20) out += ' ';
                else out.append(text.substr(i, n));
        }
        i += n;
    }
    return out;
}

std::string shorten(std::string_view text, std::size_t max_chars) {
    std::size_t i = 0, chars = 0, cut = 0;
    while (i < text.size()) {
        if (chars + 1 == max_chars) cut = i;
        std::size_t n = utf8_length(text, i);
        i += n == 0 ? 1 : n;
        ++chars;
    }
    if (chars <= max_chars || max_chars == 0) return std::string(text);
    return std::string(text.substr(0, cut)) + "\xE2\x80\xA6";
}

double text_width(std::string_view text, double font_size) {
    std::size_t chars = 0;
    for (char c : text)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++chars;
    return static_cast<double>(chars) * font_size * 0.6;
}

void line(std::string& out, double x1, double y1, double x2, double y2, std::string_view stroke, double width,
          std::string_view dash) {
    out += "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) +
           "\" stroke=\"";
    out += stroke;
    out += "\" stroke-width=\"" + num(width) + "\"";
    if (!dash.empty()) {
        out += " stroke-dasharray=\"";
        out += dash;
        out += "\"";
    }
    out += "/>\n";
}

void rect(std::string& out, const Rect& r, std::string_view fill, std::string_view extra) {
    out += "<rect x=\"" + num(r.x) + "\" y=\"" + num(r.y) + "\" width=\"" + num(std::max(r.w, 0.0)) +
           "\" height=\"" + num(std::max(r.h, 0.0)) + "\" fill=\"";
    out += fill;
    out += "\"";
    if (!extra.empty()) {
        out += ' ';
        out += extra;
    }
    out += "/>\n";
}

void text(std::string& out, double x, double y, std::string_view content, Anchor anchor, double size,
          std::string_view extra) {
    static const char* const kAnchor[] = {"start", "middle", "end"};
    out += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" font-size=\"" + num(size) + "\"";
    if (anchor != Anchor::start) out += std::string(" text-anchor=\"") + kAnchor[static_cast<int>(anchor)] + "\"";
    if (!extra.empty()) {
        out += ' ';
        out += extra;
    }
    out += '>';
    out += escape(content);
    out += "</text>\n";
}

}  // namespace dicomlake::report::chart::draw
