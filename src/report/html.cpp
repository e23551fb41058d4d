// index.html: the report as one page. Everything is escaped text, the style sheet inline and the
// charts inline SVG from report/chart, so the file opens anywhere (a mail attachment, a share)
// without fetching anything and without script.
#include "report/html.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string_view>

#include "report/html_style.hpp"
#include "report/text.hpp"

namespace dicomlake::report {
namespace {

constexpr std::string_view en_dash = "\u2013";
constexpr std::string_view narrow_space = "\u202f";  // SI digit grouping, never breaks a number


// Groups the integer digits by three from 10000 up ("12 345.6"); 4-digit numbers stay whole.
std::string group_digits(const std::string& number) {
    std::size_t start = number[0] == '-' ? 1 : 0;
    std::size_t end = number.find('.');
    if (end == std::string::npos) end = number.size();
    if (end - start < 5) return number;
    std::string out = number.substr(0, start);
    for (std::size_t i = start; i < end; ++i) {
        if (i > start && (end - i) % 3 == 0) out += narrow_space;
        out += number[i];
    }
    return out + number.substr(end);
}

// Fixed decimals, locale-free; a rounded zero never shows as "-0.00"; NaN and infinity, which a
// view should never give, show as missing.
std::string format_number(double value, int decimals) {
    std::string text = fixed_decimals(value, decimals);
    return text.empty() ? std::string(en_dash) : group_digits(text);
}

// The cell's shown text (not yet escaped) and its class.
std::pair<std::string, std::string_view> cell(const Column& column, const Value& value) {
    bool numeric = column.kind == Column::Kind::integer || column.kind == Column::Kind::number;
    std::string_view css = numeric ? "num" : column.kind == Column::Kind::date ? "date" : "";
    if (value.is_null()) return {std::string(en_dash), numeric ? "num null" : "null"};
    if (value.number) {
        int decimals = column.kind == Column::Kind::integer ? 0 : column.decimals;
        return {format_number(*value.number, decimals), numeric ? "num" : css};
    }
    if (column.kind == Column::Kind::boolean) {
        if (*value.text == "true") return {"yes", css};
        if (*value.text == "false") return {"no", css};
    }
    return {*value.text, css};
}

std::string class_attribute(std::string_view css) {
    return css.empty() ? std::string() : " class=\"" + std::string(css) + "\"";
}

// Each source view gets one anchor in the appendix: its name made anchor-safe, numbered when two
// names collapse to the same anchor.
class Sources {
public:
    explicit Sources(const Report& report) {
        for (const auto& section : report.sections) {
            if (!section.empty_reason.empty()) continue;  // its charts and tables are not shown
            for (const auto& chart : section.charts) add(chart.source, section, "chart-" + chart.id,
                                                         chart::title_of(chart.spec));
            for (const auto& table : section.tables) add(table.source, section, "table-" + table.id,
                                                         table.title);
        }
        std::set<std::string> taken;
        for (auto& [name, source] : by_name_) {
            std::string base = "source-";
            for (char c : name) {
                bool plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
                base += plain ? c : (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : '-';
            }
            source.anchor = base;
            for (int n = 2; !taken.insert(source.anchor).second; ++n) source.anchor = base + "-" + std::to_string(n);
        }
    }

    // "Source: <view>" linked to its appendix entry; nothing when the item names no source.
    std::string line(const std::string& name) const {
        auto found = by_name_.find(name);
        if (found == by_name_.end()) return {};
        return "<p class=\"source\">Source: <a href=\"#" + found->second.anchor + "\"><code>" +
               html_escape(name) + "</code></a></p>\n";
    }

    std::string appendix() const {
        std::string out = "<section id=\"numbers-sources\">\n<h2>Where the numbers come from</h2>\n"
                          "<p class=\"meaning\">Each chart and table is read from one view of the "
                          "warehouse; query it for the full rows.</p>\n";
        if (by_name_.empty()) return out + "<p class=\"empty\">No chart or table in this report.</p>\n</section>\n";
        out += "<dl class=\"sources\">\n";
        for (const auto& [name, source] : by_name_) {
            out += "<dt id=\"" + source.anchor + "\"><code>" + html_escape(name) + "</code></dt>\n<dd>Shown in: ";
            for (std::size_t i = 0; i < source.uses.size(); ++i) {
                const Use& use = source.uses[i];
                out += (i ? ", " : "") + std::string("<a href=\"#") + html_escape(use.anchor) + "\">" +
                       html_escape(use.title) + "</a> (" + html_escape(use.section) + ")";
            }
            out += "</dd>\n";
        }
        return out + "</dl>\n</section>\n";
    }

private:
    struct Use {
        std::string section, anchor, title;
    };
    struct Source {
        std::string anchor;
        std::vector<Use> uses;
    };

    void add(const std::string& name, const Section& section, std::string anchor, std::string title) {
        if (name.empty()) return;
        by_name_[name].uses.push_back({section.title, std::move(anchor), std::move(title)});
    }

    std::map<std::string, Source> by_name_;  // sorted: the appendix reads like an index
};

std::string table_html(const Table& table, const Sources& sources) {
    std::string id = html_escape("table-" + table.id);
    std::string out = "<h3 id=\"" + id + "\">" + html_escape(table.title) + "</h3>\n";
    if (!table.meaning.empty()) out += "<p class=\"meaning\">" + html_escape(table.meaning) + "</p>\n";
    out += "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-labelledby=\"" + id +
           "\">\n<table>\n<thead><tr>";
    for (const auto& column : table.columns) {
        bool numeric = column.kind == Column::Kind::integer || column.kind == Column::Kind::number;
        std::string title = column.unit.empty() ? column.title : column.title + " (" + column.unit + ")";
        out += "<th scope=\"col\"" + class_attribute(numeric ? "num" : "") + ">" + html_escape(title) + "</th>";
    }
    out += "</tr></thead>\n<tbody>\n";
    std::size_t shown = std::min(table.rows.size(), table.html_rows);
    for (std::size_t r = 0; r < shown; ++r) {
        out += "<tr>";
        for (std::size_t c = 0; c < table.columns.size(); ++c) {
            // A short row (a builder bug) shows missing cells rather than reading past its end.
            Value value = c < table.rows[r].size() ? table.rows[r][c] : Value::null();
            auto [text, css] = cell(table.columns[c], value);
            out += "<td" + class_attribute(css) + ">" + html_escape(text) + "</td>";
        }
        out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n</div>\n";
    if (table.rows.empty()) out += "<p class=\"more\">No rows.</p>\n";
    if (std::size_t more = table.rows.size() - shown; more > 0) {
        std::string csv = html_escape(table.id + ".csv");
        out += "<p class=\"more\">" + std::to_string(more) + (more == 1 ? " more row" : " more rows") +
               " in <a href=\"" + csv + "\">" + csv + "</a> and report.xlsx</p>\n";
    }
    return out + sources.line(table.source);
}

// The standalone SVG made inline: an HTML parser puts <svg> in the SVG namespace by itself, so
// the namespace declarations (the only URLs in it) and any XML prolog are left out; the page
// then holds no URL at all, which is simple to check.
std::string inline_svg(std::string svg) {
    if (std::size_t prolog = svg.find("?>"); svg.rfind("<?xml", 0) == 0 && prolog != std::string::npos)
        svg.erase(0, prolog + 2);
    std::size_t tag_end = svg.find('>');
    for (std::string_view declaration : {" xmlns=\"http://www.w3.org/2000/svg\"",
                                         " xmlns:xlink=\"http://www.w3.org/1999/xlink\""}) {
        std::size_t at = svg.find(declaration);
        if (at < tag_end) {
            svg.erase(at, declaration.size());
            tag_end -= declaration.size();
        }
    }
    return svg.erase(0, svg.find_first_not_of(" \t\r\n"));
}

std::string chart_html(const Chart& chart, const Sources& sources) {
    return "<figure id=\"" + html_escape("chart-" + chart.id) + "\">\n" + inline_svg(chart::to_svg(chart.spec)) +
           "\n<figcaption>" + sources.line(chart.source) + "</figcaption>\n</figure>\n";
}

std::string section_html(const Section& section, const Sources& sources) {
    std::string out = "<section id=\"" + html_escape(section.id) + "\">\n<h2>" + html_escape(section.title) + "</h2>\n";
    if (!section.meaning.empty()) out += "<p class=\"meaning\">" + html_escape(section.meaning) + "</p>\n";
    std::string when;
    if (!section.period.empty()) when += "<span>Period: " + html_escape(section.period) + "</span>";
    if (!section.clock.empty()) when += "<span>Clock: " + html_escape(section.clock) + "</span>";
    if (!when.empty()) out += "<p class=\"when\">" + when + "</p>\n";
    if (!section.facts.empty()) {
        out += "<ul class=\"facts\">\n";
        for (const auto& fact : section.facts) out += "<li>" + html_escape(fact) + "</li>\n";
        out += "</ul>\n";
    }
    if (!section.empty_reason.empty()) {
        // Nothing to draw: say why instead of an empty chart.
        return out + "<p class=\"empty\">" + html_escape(section.empty_reason) + "</p>\n</section>\n";
    }
    for (const auto& chart : section.charts) out += chart_html(chart, sources);
    for (const auto& table : section.tables) out += table_html(table, sources);
    return out + "</section>\n";
}

std::string header_html(const Report& report) {
    std::string out = "<header>\n<h1>" + html_escape(report.title) + "</h1>\n<dl class=\"about\">\n";
    auto item = [&out](std::string_view term, const std::string& text) {
        out += "<dt>" + std::string(term) + "</dt><dd>" + html_escape(text) + "</dd>\n";
    };
    item("Report day", report.date);
    item("Period", report.first_day + " to " + report.date + " (" + std::to_string(report.days) +
                       (report.days == 1 ? " day)" : " days)"));
    item("Generated", report.generated_at + " (UTC)");
    item("Version", "dicomlake " + report.version);
    out += "</dl>\n</header>\n<nav class=\"toc\" aria-label=\"Contents\">\n<h2>Contents</h2>\n<ol>\n";
    for (const auto& section : report.sections)
        out += "<li><a href=\"#" + html_escape(section.id) + "\">" + html_escape(section.title) + "</a></li>\n";
    return out + "<li><a href=\"#numbers-sources\">Where the numbers come from</a></li>\n</ol>\n</nav>\n";
}

}  // namespace

std::string to_html(const Report& report) {
    Sources sources(report);
    std::string out =
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        // Belt and braces: a browser refuses to fetch or run anything, whatever text slipped in.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">\n"
        "<meta name=\"generator\" content=\"dicomlake " + html_escape(report.version) + "\">\n"
        "<title>" + html_escape(report.title + " " + report.date) + "</title>\n<style>" + html_style() +
        "</style>\n</head>\n<body>\n<main>\n" + header_html(report);
    for (const auto& section : report.sections) out += section_html(section, sources);
    out += sources.appendix();
    out += "<footer>Made by dicomlake " + html_escape(report.version) + " on " + html_escape(report.generated_at) +
           " (UTC). The tables hold the first rows; the CSV files and report.xlsx next to this page "
           "hold all of them.</footer>\n";
    return out + "</main>\n</body>\n</html>\n";
}

}  // namespace dicomlake::report
