// The report as a mail body. Mail clients (Outlook's Word engine, Gmail, Apple Mail) ignore or
// strip <style> blocks, scripts, SVG and most layout CSS, so the HTML part is the lowest common
// denominator: nested tables at most 640 px wide, every style inline on its element, the key
// charts as PNG images referenced by Content-ID, nothing fetched from anywhere. The plain-text
// part says the same for clients (and readers) that show no HTML. Both show only the first rows
// of each table; the attachments carry everything.
#include "report/mail_body.hpp"
#include "report/text.hpp"

#include <algorithm>
#include <cmath>

namespace dicomlake::report {

namespace {

constexpr std::size_t kMailRows = 10;      // rows of a table in the mail, at most
constexpr std::size_t kTextCellWidth = 40;  // characters of a cell in the text part, at most
constexpr const char* kFont = "font-family:Arial,Helvetica,sans-serif;";
constexpr const char* kAttached =
    "The full report (index.html) and the spreadsheet (report.xlsx) are attached.";


std::size_t rows_shown(const Table& table) { return std::min({table.html_rows, kMailRows, table.rows.size()}); }

std::string more_rows_note(const Table& table) {
    const std::size_t more = table.rows.size() - rows_shown(table);
    if (more == 0) return "";
    return std::to_string(more) + (more == 1 ? " more row" : " more rows") + " in report.xlsx";
}

// A cell as a person reads it: numbers with the column's decimals (the exports keep them all).
std::string cell_text(const Column& column, const Value& value) {
    if (value.number) {
        return fixed_decimals(*value.number, column.kind == Column::Kind::integer ? 0 : column.decimals);
    }
    if (!value.text) return "";
    if (column.kind == Column::Kind::boolean && (*value.text == "true" || *value.text == "false"))
        return *value.text == "true" ? "yes" : "no";
    return *value.text;
}

std::string heading_of(const Column& column) {
    return column.unit.empty() ? column.title : column.title + " (" + column.unit + ")";
}

bool right_aligned(const Column& column) {
    return column.kind == Column::Kind::integer || column.kind == Column::Kind::number;
}

const std::string& chart_title(const Chart& chart) { return chart::title_of(chart.spec); }

// ---- the plain-text part ----

// UTF-8 code points: what a monospace font shows, near enough (wide CJK glyphs aside).

std::string clip(const std::string& text) {
    if (display_width(text) <= kTextCellWidth) return text;
    std::size_t points = 0, i = 0;
    for (; i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && ++points == kTextCellWidth) break;
    return text.substr(0, i) + "\xE2\x80\xA6";  // an ellipsis after kTextCellWidth - 1 characters
}

std::string pad(const std::string& text, std::size_t width, bool right) {
    const std::string fill(width - std::min(width, display_width(text)), ' ');
    return right ? fill + text : text + fill;
}

void append_line(std::string& out, std::string line) {
    line.erase(line.find_last_not_of(' ') + 1);
    out += line;
    out += '\n';
}

void append_text_table(std::string& out, const Table& table) {
    const std::size_t shown = rows_shown(table);
    std::vector<std::vector<std::string>> grid(shown + 1);
    for (const auto& column : table.columns) grid[0].push_back(clip(heading_of(column)));
    for (std::size_t r = 0; r < shown; ++r)
        for (std::size_t c = 0; c < table.columns.size(); ++c)
            grid[r + 1].push_back(c < table.rows[r].size() ? clip(cell_text(table.columns[c], table.rows[r][c])) : "");
    std::vector<std::size_t> widths(table.columns.size());
    for (const auto& row : grid)
        for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], display_width(row[c]));
    append_line(out, table.title + (table.source.empty() ? "" : " (" + table.source + ")"));
    for (std::size_t r = 0; r < grid.size(); ++r) {
        std::string line;
        for (std::size_t c = 0; c < grid[r].size(); ++c)
            line += (c == 0 ? "" : "  ") + pad(grid[r][c], widths[c], right_aligned(table.columns[c]));
        append_line(out, line);
        if (r == 0) {
            std::string rule;
            for (std::size_t c = 0; c < widths.size(); ++c) rule += (c == 0 ? "" : "  ") + std::string(widths[c], '-');
            append_line(out, rule);
        }
    }
    if (const std::string note = more_rows_note(table); !note.empty()) append_line(out, "(" + note + ")");
    append_line(out, "");
}

void append_text_section(std::string& out, const Section& section) {
    append_line(out, "== " + section.title + " ==");
    if (!section.meaning.empty()) append_line(out, section.meaning);
    if (!section.period.empty()) append_line(out, "Period: " + section.period);
    if (!section.clock.empty()) append_line(out, "Clock: " + section.clock);
    append_line(out, "");
    if (!section.empty_reason.empty()) {
        append_line(out, "Nothing to show: " + section.empty_reason);
        append_line(out, "");
        return;
    }
    for (const auto& fact : section.facts) append_line(out, "- " + fact);
    if (!section.facts.empty()) append_line(out, "");
    for (const auto& table : section.tables) append_text_table(out, table);
}

std::string text_part(const Report& report) {
    std::string out;
    append_line(out, report.title);
    append_line(out, "Report day: " + report.date + " (trends from " + report.first_day + ", " +
                         std::to_string(report.days) + " days)");
    append_line(out, "");
    for (const auto& section : report.sections) append_text_section(out, section);
    append_line(out, kAttached);
    return out;
}

// ---- the HTML part ----

std::string paragraph(const std::string& text, const std::string& style) {
    return "<p style=\"margin:0 0 8px;" + std::string(kFont) + style + "\">" + html_escape(text) + "</p>\n";
}

std::string html_cell(const std::string& tag, const std::string& text, bool right, const std::string& style) {
    return "<" + tag + " align=\"" + (right ? "right" : "left") + "\" style=\"padding:4px 6px;" +
           "border-bottom:1px solid #dddddd;font-size:13px;" + kFont + style + "\">" + html_escape(text) + "</" + tag + ">";
}

std::string html_table(const Table& table) {
    std::string out = paragraph(table.title, "font-size:15px;font-weight:bold;margin-top:12px;");
    if (!table.meaning.empty()) out += paragraph(table.meaning, "font-size:13px;color:#444444;");
    out += "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
           "style=\"border-collapse:collapse;width:100%;margin:0 0 4px;\">\n<tr>";
    for (const auto& column : table.columns)
        out += html_cell("th", heading_of(column), right_aligned(column), "background:#eeeeee;font-weight:bold;");
    out += "</tr>\n";
    for (std::size_t r = 0; r < rows_shown(table); ++r) {
        out += "<tr>";
        for (std::size_t c = 0; c < table.columns.size(); ++c)
            out += html_cell("td", c < table.rows[r].size() ? cell_text(table.columns[c], table.rows[r][c]) : "",
                             right_aligned(table.columns[c]), "");
        out += "</tr>\n";
    }
    out += "</table>\n";
    if (const std::string note = more_rows_note(table); !note.empty())
        out += paragraph(note, "font-size:12px;color:#555555;");
    if (!table.source.empty()) out += paragraph("Source: " + table.source, "font-size:12px;color:#555555;");
    return out;
}

std::string html_charts(const Section& section, const std::map<std::string, std::string>& png_by_chart_id) {
    std::string out;
    for (const auto& chart : section.charts) {
        if (!chart.key || png_by_chart_id.count(chart.id) == 0) continue;
        out += "<img src=\"cid:" + html_escape(chart.id) + "@dicomlake\" alt=\"" + html_escape(chart_title(chart)) +
               "\" width=\"600\" style=\"display:block;width:100%;max-width:600px;height:auto;border:0;"
               "margin:8px 0;\">\n";
    }
    return out;
}

std::string html_section(const Section& section, const std::map<std::string, std::string>& png_by_chart_id) {
    std::string out = "<tr><td style=\"padding:16px 20px;border-top:1px solid #dddddd;\">\n";
    out += "<h2 style=\"margin:0 0 8px;font-size:18px;" + std::string(kFont) + "\">" + html_escape(section.title) + "</h2>\n";
    if (!section.meaning.empty()) out += paragraph(section.meaning, "font-size:14px;");
    std::string when = section.period;
    if (!section.clock.empty()) when += (when.empty() ? "" : ". ") + std::string("Clock: ") + section.clock;
    if (!when.empty()) out += paragraph(when, "font-size:12px;color:#555555;");
    if (!section.empty_reason.empty()) {
        out += paragraph("Nothing to show: " + section.empty_reason, "font-size:14px;font-style:italic;");
        return out + "</td></tr>\n";
    }
    if (!section.facts.empty()) {
        out += "<ul style=\"margin:0 0 8px;padding-left:20px;\">\n";
        for (const auto& fact : section.facts)
            out += "<li style=\"font-size:14px;margin:0 0 4px;" + std::string(kFont) + "\">" + html_escape(fact) + "</li>\n";
        out += "</ul>\n";
    }
    out += html_charts(section, png_by_chart_id);
    for (const auto& table : section.tables) out += html_table(table);
    return out + "</td></tr>\n";
}

std::string html_part(const Report& report, const std::map<std::string, std::string>& png_by_chart_id) {
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
        html_escape(report.title + " " + report.date) +
        "</title>\n</head>\n<body style=\"margin:0;padding:0;background:#f4f4f4;\">\n"
        "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
        "style=\"background:#f4f4f4;\">\n<tr><td align=\"center\" style=\"padding:16px 8px;\">\n"
        "<table role=\"presentation\" width=\"640\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
        "style=\"width:100%;max-width:640px;background:#ffffff;color:#1a1a1a;\">\n"
        "<tr><td style=\"padding:20px 20px 8px;\">\n<h1 style=\"margin:0 0 8px;font-size:22px;" +
        std::string(kFont) + "\">" + html_escape(report.title) + "</h1>\n";
    out += paragraph("Report day " + report.date + ", trends from " + report.first_day + " (" +
                         std::to_string(report.days) + " days).",
                     "font-size:14px;color:#444444;");
    out += "</td></tr>\n";
    for (const auto& section : report.sections) out += html_section(section, png_by_chart_id);
    out += "<tr><td style=\"padding:16px 20px;border-top:1px solid #dddddd;\">\n";
    out += paragraph(kAttached, "font-size:13px;color:#444444;");
    if (!report.version.empty() && !report.generated_at.empty())
        out += paragraph("Made by dicomlake " + report.version + ", " + report.generated_at + ".",
                         "font-size:12px;color:#777777;");
    out += "</td></tr>\n</table>\n</td></tr>\n</table>\n</body>\n</html>\n";
    return out;
}

// The subject is a header line: control characters (a CR or LF would start a new header) become
// spaces, whatever the template or the date hold.
std::string subject_of(const Report& report, const std::string& subject_template) {
    std::string subject = subject_template.empty() ? report.title + " {date}" : subject_template;
    for (std::size_t at = subject.find("{date}"); at != std::string::npos;
         at = subject.find("{date}", at + report.date.size()))
        subject.replace(at, 6, report.date);
    for (char& c : subject)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
    return subject;
}

// Text in a MIME body has CRLF line ends (RFC 2045): both parts are written with LF, and a CR
// or LF inside a value becomes a line end too.
std::string crlf(const std::string& text) {
    std::string out;
    out.reserve(text.size() + text.size() / 32);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;  // its LF follows
        if (text[i] == '\r' || text[i] == '\n') out += "\r\n";
        else out += text[i];
    }
    return out;
}

}  // namespace

MailBody mail_body(const Report& report, const std::string& subject_template,
                   const std::map<std::string, std::string>& png_by_chart_id) {
    return {subject_of(report, subject_template), crlf(text_part(report)), crlf(html_part(report, png_by_chart_id))};
}

}  // namespace dicomlake::report
